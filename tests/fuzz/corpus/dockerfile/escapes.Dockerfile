# escape=`
FROM mcr.microsoft.com/windows/servercore:ltsc2022
RUN echo one `
    two `
# a comment inside the continuation
    three
COPY C:\src\app C:\app\
WORKDIR C:\app
USER ContainerUser
HEALTHCHECK NONE
