# syntax=docker/dockerfile:1.7
# Example service image for `make demo`: a Flask API with a Node front-end build stage.
# Every critical and high problem the Dockerfile scanner knows is planted here on purpose.
ARG PYTHON_VERSION=3.8

FROM node:latest AS assets
# A token in a build stage stays in the build cache and history (DF016)
ENV NPM_TOKEN=npm_live_4f8a9c2e7b1d6a3f5e0c9b8a7d6e5f4a
WORKDIR /src
COPY package.json ./
RUN npm config set strict-ssl false && npm install
COPY web/ ./web/
RUN npm run build

FROM python:${PYTHON_VERSION}-slim
LABEL maintainer="ops@example.com"
# Secrets by value and by name (DF003, DF004)
ENV AWS_ACCESS_KEY_ID=AKIAQ3EGRTXJ7W2LMN5P \
    DB_PASSWORD=s3cr3t-Pa55w0rd \
    FLASK_DEBUG=1
ARG GITHUB_TOKEN=ghp_R8mZtV2qLx9nPb4Kc7Wd1Hy6Js3Fg0AeUo5i
RUN apt-get update && apt-get install -y curl ca-certificates \
    && curl -fsSL https://get.example.com/install.sh | bash
RUN wget --no-check-certificate https://example.com/tool.tgz -O /tmp/tool.tgz \
    && pip install --trusted-host pypi.example.com flask gunicorn
RUN sudo chmod -R 777 /var/log
RUN --security=insecure echo "needs privileges"
RUN --mount=type=secret,id=pip_token,env=PIP_TOKEN pip install --no-cache-dir private-pkg==1.2.0
ADD https://example.com/app/config.tar.gz /opt/app/
COPY id_rsa /root/.ssh/id_rsa
COPY --chmod=777 entrypoint.sh /entrypoint.sh
COPY . /app
WORKDIR /app
EXPOSE 8000 22 5432
USER root
CMD python app.py
