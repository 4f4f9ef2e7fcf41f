# kubemcp's image: a static binary (the console's web app embedded) on
# distroless, as the nonroot user (65532), with no shell. `make image` assembles the same image without a container
# engine (internal/imagebuild; test/deploy checks the two agree).
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg REVISION=$(git rev-parse HEAD) -t kubemcp:dev .

# The console's web app, built where internal/console embeds it.
FROM node:22-bookworm-slim AS web
WORKDIR /src/web
COPY web/package.json web/package-lock.json ./
RUN PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund
COPY web ./
RUN npm run build

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY cmd cmd
COPY internal internal
COPY --from=web /src/internal/console/web/app internal/console/web/app
ARG VERSION=dev
ARG TARGETARCH
# No cgo: the runtime image has no libc.
RUN CGO_ENABLED=0 GOOS=linux GOARCH=${TARGETARCH} go build -trimpath \
      -ldflags "-s -w -X github.com/kubemcp/kubemcp/internal/app.version=${VERSION}" \
      -o /out/kubemcp ./cmd/kubemcp

FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="kubemcp" \
      org.opencontainers.image.description="A Model Context Protocol server for Kubernetes" \
      org.opencontainers.image.source="https://github.com/kubemcp/kubemcp" \
      org.opencontainers.image.licenses="NOASSERTION" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}"
COPY --from=build /out/kubemcp /kubemcp
ENV HOME=/home/nonroot
WORKDIR /home/nonroot
USER 65532:65532
ENTRYPOINT ["/kubemcp"]
CMD ["serve"]
