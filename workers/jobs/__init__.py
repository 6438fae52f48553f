"""The job plumbing: dispatch (inline or RQ), queues, the RQ worker, start-up hygiene."""
