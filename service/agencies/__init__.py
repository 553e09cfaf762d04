"""Receiving agencies (cơ quan, bộ phận tiếp nhận): the provincial public-administration service centre
for the Sở's procedures and each commune's service centre for commune-level ones (LAW-2026 §3)."""
