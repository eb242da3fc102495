"""Operations: liveness and readiness answers and Prometheus metrics (SC2).

Above every app (it looks at the database, the portal's storage, the task queue and the
vault's key store), imported only by the URL conf and the middleware list.
"""
