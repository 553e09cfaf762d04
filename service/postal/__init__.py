"""Results sent to the applicant by post (VNPost): the shipment, its tracking and its handover."""
