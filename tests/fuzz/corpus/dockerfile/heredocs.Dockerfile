# syntax=docker/dockerfile:1.7
FROM alpine:3.20@sha256:0000000000000000000000000000000000000000000000000000000000000000
RUN <<EOF
apk add --no-cache curl=8.9.1-r0
export GH=ghp_R8mZtV2qLx9nPb4Kc7Wd1Hy6Js3Fg0AeUo5i
EOF
RUN <<-"FILE1" cat > /etc/a && <<FILE2 cat > /etc/b
	tab stripped line
	FILE1
second body
FILE2
COPY <<EOT /etc/motd
hello
EOT
RUN python3 <<PY
print("not shell: sudo here is a string")
PY
USER 10001
HEALTHCHECK CMD wget -q -O- http://localhost/ || exit 1
