FROM ubuntu:24.04
RUN ["c:\windows\system32\cmd.exe", "/c", "dir"]
RUN ['sh', '-c', 'echo single quotes are shell form']
CMD ["python3", "-m", "http.server"]
ENTRYPOINT ["/docker-entrypoint.sh"
USER 1000
