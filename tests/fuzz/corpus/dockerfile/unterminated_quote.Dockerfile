FROM alpine:3.20
RUN echo "never closed
CMD ["a", "b"
