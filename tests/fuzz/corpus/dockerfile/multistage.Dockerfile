ARG BASE=golang
ARG GO_VERSION=1.26
ARG REG=docker.io
FROM ${REG}/library/${BASE}:${GO_VERSION}-bookworm AS build
ARG GO_VERSION
ENV CGO_ENABLED=0 GOFLAGS="-trimpath" VERSION=${GO_VERSION:-none} ALT=${UNSET:+set} DEF=${UNSET:-fallback}
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/root/.cache/go-build --mount=type=secret,id=netrc,target=/root/.netrc go build -o /out/app ./cmd/app
FROM build AS test
RUN go test ./...
FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/app /app
COPY --from=0 /out/app /app2
ENTRYPOINT ["/app"]
