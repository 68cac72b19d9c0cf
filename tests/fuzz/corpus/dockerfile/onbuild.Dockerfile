FROM node:22.11.0-bookworm
ONBUILD COPY . /app
ONBUILD RUN npm ci
ONBUILD ONBUILD RUN echo nested
ONBUILD FROM scratch
MAINTAINER someone@example.com
STOPSIGNAL SIGTERM
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN curl -fsSL https://example.com/x.txt | grep x
VOLUME ["/data"]
USER node
HEALTHCHECK CMD node healthcheck.js
