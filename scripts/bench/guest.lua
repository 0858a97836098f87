-- Guest sign-in (the rate limit is raised for the run).
wrk.method = "POST"
