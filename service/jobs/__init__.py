"""Work done after a step commits: emails, SMS, documents, and the daily tasks.

A step records what must follow it as rows in its own transaction (the outbox: `OutboundEmail`,
`OutboundSms`, `DocumentJob`); huey, the job engine, runs them after the commit, retries them with
backoff, and keeps the ones that keep failing for an administrator (`/admin/jobs`).
"""
