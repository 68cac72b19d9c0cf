FROM alpine:3.20
RUN echo crlf \
  && echo more
USER 1000
