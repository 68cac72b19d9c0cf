FROM alpine:3.20
FROBNICATE all the things
RUN --frobnicate=yes --mount=type=ssh echo hi
COPY --newflag=1 a /a
USER 1000
