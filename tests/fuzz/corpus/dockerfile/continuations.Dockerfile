FROM debian:12.5
RUN apt-get update \
    # comment in the middle
    && apt-get install -y --no-install-recommends \

       curl=7.88.1-10 \
    && rm -rf /var/lib/apt/lists/*
ENV A=1 \
    B="two words" \
    C=three\ four
USER app:app
HEALTHCHECK --interval=30s --timeout=3s --start-interval=1s CMD ["curl", "-f", "http://localhost/"]
