# MinIO for docker-compose.yml, built from the Go module proxy: the community edition is
# distributed as source only (no official images since October 2025, and the Docker Hub
# repository is gone). The version is the one the tests run (scripts/local/minio.ts; a test in
# tests/services/documents/s3-storage.test.ts keeps the two in step).
FROM golang:1.24-bookworm AS build
ARG MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
RUN CGO_ENABLED=0 GOBIN=/out go install github.com/minio/minio@${MINIO_VERSION}

FROM debian:bookworm-slim
# curl for the compose healthcheck (GET /minio/health/ready).
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
  && useradd --system --uid 1001 --no-create-home minio && mkdir /data && chown minio /data
COPY --from=build /out/minio /usr/local/bin/minio
USER minio
EXPOSE 9000
ENTRYPOINT ["minio"]
CMD ["server", "/data", "--address", ":9000"]
