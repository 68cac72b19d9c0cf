/* Unit tests of the Dockerfile scanner: parser spans and syntax corner cases, expansion and
 * stages, every rule with a positive and a negative case, suppression, config and the context. */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "helper.h"

#include "detect.h"
#include "dockerfile.h"

static char tmpdir[256];

static int
setup(void **state)
{
    (void)state;
    return test_mkdtemp(tmpdir, sizeof(tmpdir), "test_dockerfile");
}

static int
teardown(void **state)
{
    (void)state;
    return test_rmtree(tmpdir);
}

static void
scan(const char *text, const struct scanner_opts *o, const char *ctx, struct findings *f)
{
    findings_init(f);
    assert_int_equal(dockerfile_scan_buffer("Dockerfile", text, strlen(text), o, ctx, f), 0);
}

/* `id` may list alternatives: "DF003|DF004" (either way of finding the same secret). */
static size_t
count(const struct findings *f, const char *id)
{
    size_t n = 0, l = strlen(id);
    for (size_t i = 0; i < f->n; i++)
        for (const char *p = id; p < id + l;) {
            size_t k = strcspn(p, "|");
            if (strlen(f->items[i].rule) == k && strncmp(f->items[i].rule, p, k) == 0)
                n++;
            p += k + 1;
        }
    return n;
}

static const struct finding *
first(const struct findings *f, const char *id)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->items[i].rule, id) == 0)
            return &f->items[i];
    return NULL;
}

/* ---- parser ------------------------------------------------------------------------------------ */
static void
parse(struct dockerfile *df, const char *text)
{
    assert_int_equal(dockerfile_parse(df, "Dockerfile", text, strlen(text)), 0);
    assert_int_equal(dockerfile_resolve(df), 0);
}

static void
test_spans_and_continuations(void **state)
{
    struct dockerfile df;
    int l, c;
    (void)state;

    parse(&df, "FROM alpine:3.22\n"
               "  RUN echo a \\\n"
               "# comment inside\n"
               "    && echo b\n"
               "USER 1000\n");
    assert_int_equal(df.n, 3);
    assert_int_equal(df.instrs[1].kind, DF_RUN);
    assert_int_equal(df.instrs[1].line, 2);
    assert_int_equal(df.instrs[1].col, 3);
    assert_int_equal(df.instrs[1].end_line, 4);
    assert_string_equal(df.instrs[1].text, "echo a     && echo b");
    /* "&&" is on line 4, column 5 */
    const struct df_instr *in = &df.instrs[1];
    size_t w = 0;
    while (w < in->nwords && strcmp(in->words[w].text, "&&") != 0)
        w++;
    assert_true(w < in->nwords);
    df_pos(&df, in, in->words[w].off, &l, &c);
    assert_int_equal(l, 4);
    assert_int_equal(c, 5);
    assert_int_equal(df.instrs[2].line, 5);
    dockerfile_free(&df);
}

static void
test_escape_directive_bom_crlf(void **state)
{
    struct dockerfile df;
    (void)state;

    parse(&df, "\xEF\xBB\xBF# escape=`\r\nFROM alpine:3.22\r\nRUN echo a `\r\n  b\r\nUSER 1\r\n");
    assert_int_equal(df.escape, '`');
    assert_int_equal(df.n, 3);
    assert_string_equal(df.instrs[1].text, "echo a   b");
    assert_int_equal(df.instrs[2].line, 5);
    dockerfile_free(&df);
    /* A directive after an instruction is a comment. */
    parse(&df, "FROM alpine:3.22\n# escape=`\nRUN echo a \\\n b\n");
    assert_int_equal(df.escape, '\\');
    assert_string_equal(df.instrs[1].text, "echo a  b");
    dockerfile_free(&df);
}

static void
test_heredocs(void **state)
{
    struct dockerfile df;
    (void)state;

    parse(&df, "FROM alpine:3.22\n"
               "RUN <<-\"A\" cat > /a && 3<<B cat > /b\n"
               "\tone\n"
               "\tA\n"
               "two\n"
               "B\n"
               "COPY <<EOT /etc/x\n"
               "hi\n"
               "EOT\n"
               "USER 1\n");
    assert_int_equal(df.n, 4);
    const struct df_instr *r = &df.instrs[1];
    assert_int_equal(r->nheredocs, 2);
    assert_string_equal(r->heredocs[0].delim, "A");
    assert_true(r->heredocs[0].quoted);
    assert_true(r->heredocs[0].strip_tabs);
    assert_string_equal(r->heredocs[0].body, "one\n");
    assert_string_equal(r->heredocs[1].body, "two\n");
    assert_int_equal(r->heredocs[1].line, 5);
    assert_int_equal(df.instrs[2].kind, DF_COPY);
    assert_string_equal(df.instrs[2].heredocs[0].body, "hi\n");
    assert_int_equal(df.instrs[3].line, 10);
    assert_int_equal(df.nproblems, 0);
    dockerfile_free(&df);
    /* Unterminated: a problem, the body runs to the end, no crash. */
    parse(&df, "FROM alpine:3.22\nRUN <<EOF\necho x\n");
    assert_int_equal(df.nproblems, 1);
    assert_string_equal(df.instrs[1].heredocs[0].body, "echo x\n");
    dockerfile_free(&df);
}

static void
test_json_and_fallback(void **state)
{
    struct dockerfile df;
    (void)state;

    parse(&df, "FROM alpine:3.22\nCMD [\"a\", \"b c\"]\nRUN ['sh', '-c', 'x']\n"
               "ENTRYPOINT [\"x\"\nCOPY --chown=1:1 [\"a b\", \"/d/\"]\n");
    assert_true(df.instrs[1].json);
    assert_int_equal(df.instrs[1].njargs, 2);
    assert_string_equal(df.instrs[1].jargs[1], "b c");
    assert_false(df.instrs[2].json);
    assert_false(df.instrs[3].json);
    assert_true(df.instrs[4].json);
    assert_int_equal(df.instrs[4].nflags, 1);
    assert_string_equal(df.instrs[4].flags[0].name, "chown");
    dockerfile_free(&df);
}

static void
test_expansion_and_stages(void **state)
{
    struct dockerfile df;
    (void)state;

    parse(&df, "ARG REG=ghcr.io\nARG TAG\nFROM ${REG}/o/app:${TAG:-1.2} AS Base\n"
               "ARG REG\nENV A=x B=${A:-none} C=${REG:+set} D=$REG\n"
               "ENV A=y\nENV E=${A}\n"
               "FROM base AS next\nENV F=$E\nFROM scratch\n");
    assert_int_equal(df.nstages, 3);
    assert_string_equal(df.stages[0].image, "ghcr.io/o/app:1.2");
    assert_string_equal(df.stages[0].name, "base");
    const struct df_instr *env = &df.instrs[4];
    assert_string_equal(env->kvs[1].xvalue, "none"); /* values from before the instruction */
    assert_string_equal(env->kvs[2].xvalue, "set");
    assert_string_equal(env->kvs[3].xvalue, "ghcr.io");
    assert_string_equal(df.instrs[6].kvs[0].xvalue, "y");
    assert_int_equal(df.stages[1].base_stage, 0);
    assert_string_equal(df.instrs[8].kvs[0].xvalue, "y"); /* inherited ENV */
    assert_false(df.stages[0].in_final);
    assert_true(df.stages[2].in_final);
    dockerfile_free(&df);
    /* Legacy ENV form and single quotes. */
    parse(&df, "FROM alpine:3.22\nENV ONE TWO= THREE=world\nENV Q='$HOME' R=\"a b\"\n");
    assert_string_equal(df.instrs[1].kvs[0].key, "ONE");
    assert_string_equal(df.instrs[1].kvs[0].xvalue, "TWO= THREE=world");
    assert_string_equal(df.instrs[2].kvs[0].xvalue, "$HOME");
    assert_string_equal(df.instrs[2].kvs[1].xvalue, "a b");
    dockerfile_free(&df);
}

static void
test_glob_and_image(void **state)
{
    struct df_arena a = {0};
    struct df_image img;
    (void)state;

    assert_true(glob_match("**/*.pem", "a/b/c.pem", 1));
    assert_true(glob_match("**/*.pem", "c.pem", 1));
    assert_false(glob_match("*.pem", "a/c.pem", 1));
    assert_true(glob_match(".env*", ".env.local", 1));
    assert_true(glob_match("a/**", "a/b/c", 1));
    assert_true(glob_match("[a-c]?", "bz", 0));
    assert_false(glob_match("[!a-c]?", "bz", 0));
    df_image_parse((struct df_arena *)&a, "localhost:5000/x/y:1@sha256:ab", &img);
    assert_string_equal(img.registry, "localhost:5000");
    assert_string_equal(img.repo, "x/y");
    assert_string_equal(img.tag, "1");
    assert_string_equal(img.digest, "sha256:ab");
    df_image_parse(&a, "library/python:3.12", &img);
    assert_true(img.official);
    assert_string_equal(img.repo, "python");
    df_image_parse(&a, "bitnami/redis", &img);
    assert_false(img.official);
    assert_string_equal(img.tag, "");
    struct dockerfile tmp = {0};
    tmp.arena = a;
    dockerfile_free(&tmp);
}

/* ---- every rule: a positive and a negative case ------------------------------------------------ */
#define OK_TAIL "USER 10001\nHEALTHCHECK CMD true\n"
#define BASE    "FROM alpine:3.22@sha256:0123\n"

static const struct {
    const char *id;
    const char *pos;
    const char *neg;
} cases[] = {
    {"DF000", BASE "FROBNICATE x\n" OK_TAIL, BASE OK_TAIL},
    {"DF000", BASE "RUN --bogus=1 echo\n" OK_TAIL, BASE "RUN --network=none echo\n" OK_TAIL},
    {"DF001", BASE "USER root\nHEALTHCHECK CMD true\n", BASE OK_TAIL},
    {"DF001", BASE "USER 0:0\nHEALTHCHECK CMD true\n", BASE "USER root\nUSER app\nHEALTHCHECK CMD true\n"},
    {"DF001", BASE "HEALTHCHECK CMD true\n", "FROM gcr.io/distroless/static:nonroot\nHEALTHCHECK CMD true\n"},
    {"DF002", "FROM alpine\n" OK_TAIL, "FROM alpine:3.22\n" OK_TAIL},
    {"DF002", "FROM alpine:latest\n" OK_TAIL, "FROM alpine@sha256:00\n" OK_TAIL},
    {"DF003", BASE "ENV K=AKIAQ3EGRTXJ7W2LMN5P\n" OK_TAIL, BASE "ENV K=hello-world\n" OK_TAIL},
    {"DF003", BASE "RUN echo ghp_R8mZtV2qLx9nPb4Kc7Wd1Hy6Js3Fg0AeUo5i > /t\n" OK_TAIL,
     BASE "RUN --mount=type=secret,id=gh GH=$(cat /run/secrets/gh) make\n" OK_TAIL},
    {"DF004", BASE "ENV DB_PASSWORD=hunter2x\n" OK_TAIL, BASE "ENV DB_PASSWORD_FILE=/run/secrets/db\n" OK_TAIL},
    {"DF004", BASE "ARG API_TOKEN=abc123def\n" OK_TAIL, BASE "ARG API_TOKEN\nENV T=${API_TOKEN}\n" OK_TAIL},
    {"DF003|DF004", BASE "RUN mysql --password=Sup3rS3cret -e 'select 1'\n" OK_TAIL,
     BASE "RUN mysql --password=\"$DB_PASS\" -e 'select 1'\n" OK_TAIL},
    {"DF005", BASE "COPY id_rsa /root/.ssh/id_rsa\n" OK_TAIL, BASE "COPY id_rsa.pub /root/.ssh/\n" OK_TAIL},
    {"DF005", BASE "ADD certs/server.key /etc/ssl/\n" OK_TAIL, BASE "COPY --from=build /x.key /x.key\n" OK_TAIL},
    {"DF006", BASE "RUN --security=insecure echo\n" OK_TAIL, BASE "RUN --security=sandbox echo\n" OK_TAIL},
    {"DF010", BASE "EXPOSE 22\n" OK_TAIL, BASE "EXPOSE 8080/tcp\n" OK_TAIL},
    {"DF010", BASE "EXPOSE 5400-5500\n" OK_TAIL, BASE "EXPOSE 80 443\n" OK_TAIL},
    {"DF011", BASE "RUN sudo make install\n" OK_TAIL, BASE "RUN echo sudo is a word here\n" OK_TAIL},
    {"DF012", BASE "RUN chmod -R 777 /srv\n" OK_TAIL, BASE "RUN chmod -R 755 /srv\n" OK_TAIL},
    {"DF012", BASE "COPY --chmod=o+w a /a\n" OK_TAIL, BASE "COPY --chmod=644 a /a\n" OK_TAIL},
    {"DF013", BASE "RUN curl -sSLk https://x/y -o y\n" OK_TAIL, BASE "RUN curl -sSL https://x/y -o y\n" OK_TAIL},
    {"DF013", BASE "RUN git config --global http.sslVerify false\n" OK_TAIL, BASE "RUN git config --global user.name x\n" OK_TAIL},
    {"DF013", BASE "ENV NODE_TLS_REJECT_UNAUTHORIZED=0\n" OK_TAIL, BASE "ENV NODE_TLS_REJECT_UNAUTHORIZED=1\n" OK_TAIL},
    {"DF013", BASE "RUN rpm -i --nosignature x.rpm\n" OK_TAIL, BASE "RUN rpm -i x.rpm\n" OK_TAIL},
    {"DF013", BASE "RUN apt-get install -y --allow-unauthenticated x\n" OK_TAIL, BASE "RUN apk add --no-cache x\n" OK_TAIL},
    {"DF014", BASE "RUN curl -fsSL https://x/i.sh | sh\n" OK_TAIL, BASE "RUN curl -fsSL https://x/i.sh -o i.sh\n" OK_TAIL},
    {"DF014", BASE "RUN bash -c \"$(curl -fsSL https://x/i.sh)\"\n" OK_TAIL, BASE "RUN bash -c 'echo hi'\n" OK_TAIL},
    {"DF015", BASE "ADD https://x/y.tgz /y\n" OK_TAIL, BASE "ADD --checksum=sha256:ab https://x/y.tgz /y\n" OK_TAIL},
    {"DF016", "FROM alpine:3.22@sha256:0 AS b\nENV API_TOKEN=abcdef123\nFROM alpine:3.22@sha256:0\n" OK_TAIL,
     "FROM alpine:3.22@sha256:0 AS b\nRUN --mount=type=secret,id=t make\nFROM alpine:3.22@sha256:0\n" OK_TAIL},
    {"DF020", BASE "USER 1\n", BASE OK_TAIL},
    {"DF020", BASE "USER 1\nHEALTHCHECK NONE\n", "FROM alpine:3.22@sha256:0 AS a\nHEALTHCHECK CMD true\nFROM a\nUSER 1\n"},
    {"DF021", BASE "RUN apt-get update && apt-get install -y --no-install-recommends x=1\n" OK_TAIL,
     BASE "RUN apt-get update && apt-get install -y --no-install-recommends x=1 && rm -rf /var/lib/apt/lists/*\n" OK_TAIL},
    {"DF021", BASE "RUN apk add curl=1\n" OK_TAIL, BASE "RUN apk add --no-cache curl=1\n" OK_TAIL},
    {"DF021", BASE "RUN pip install flask==3.0\n" OK_TAIL, BASE "RUN pip install --no-cache-dir flask==3.0\n" OK_TAIL},
    {"DF021", BASE "RUN yum install -y x-1.0 \n" OK_TAIL, BASE "RUN yum install -y x-1.0 && yum clean all\n" OK_TAIL},
    {"DF022", BASE "RUN apt-get update\n" OK_TAIL, BASE "RUN apt-get update && apt-get install -y --no-install-recommends x=1 && rm -rf /var/lib/apt/lists/*\n" OK_TAIL},
    {"DF023", BASE "RUN apt-get install -y x=1\n" OK_TAIL, BASE "RUN apt-get install -y --no-install-recommends x=1\n" OK_TAIL},
    {"DF024", "FROM quay.io/org/app:1@sha256:0\n" OK_TAIL, BASE OK_TAIL},
    {"DF024", "FROM bitnami/redis:7.2@sha256:0\n" OK_TAIL, "FROM redis:7.2@sha256:0\n" OK_TAIL},
    {"DF025", "FROM python:3.8-slim@sha256:0\n" OK_TAIL, "FROM python:3.13-slim@sha256:0\n" OK_TAIL},
    {"DF025", "FROM debian:stretch@sha256:0\n" OK_TAIL, "FROM debian:trixie@sha256:0\n" OK_TAIL},
    {"DF025", "FROM ubuntu:18.04@sha256:0\n" OK_TAIL, "FROM ubuntu:24.04@sha256:0\n" OK_TAIL},
    {"DF026", BASE "ENV NODE_ENV=development\n" OK_TAIL, BASE "ENV NODE_ENV=production\n" OK_TAIL},
    {"DF026", BASE "ENV FLASK_DEBUG=1\n" OK_TAIL, BASE "ENV FLASK_DEBUG=0\n" OK_TAIL},
    {"DF030", BASE "ADD app.py /app/\n" OK_TAIL, BASE "ADD rootfs.tar.gz /\n" OK_TAIL},
    {"DF031", "FROM alpine:3.22\n" OK_TAIL, BASE OK_TAIL},
    {"DF032", BASE "RUN apt-get install -y --no-install-recommends curl\n" OK_TAIL,
     BASE "RUN apt-get install -y --no-install-recommends curl=8.0\n" OK_TAIL},
    {"DF032", BASE "RUN pip install --no-cache-dir flask\n" OK_TAIL, BASE "RUN pip install --no-cache-dir -r requirements.txt\n" OK_TAIL},
    {"DF032", BASE "RUN npm install -g typescript\n" OK_TAIL, BASE "RUN npm install -g typescript@5.4.0\n" OK_TAIL},
    {"DF033", BASE "MAINTAINER me\n" OK_TAIL, BASE "LABEL org.opencontainers.image.authors=me\n" OK_TAIL},
    {"DF034", BASE "WORKDIR app\n" OK_TAIL, BASE "WORKDIR /app\n" OK_TAIL},
    {"DF035", BASE "RUN apt-get install --no-install-recommends x=1\n" OK_TAIL,
     BASE "RUN apt-get install -y --no-install-recommends x=1\n" OK_TAIL},
    {"DF036", BASE "RUN cd /src && make\n" OK_TAIL, BASE "RUN make -C /src\n" OK_TAIL},
    {"DF037", BASE "CMD [\"a\"]\nCMD [\"b\"]\n" OK_TAIL, BASE "CMD [\"a\"]\nFROM alpine:3.22@sha256:0\nCMD [\"b\"]\n" OK_TAIL},
    {"DF038", "FROM alpine:3.22@sha256:0 AS a\nCOPY --from=a /x /x\n" OK_TAIL,
     "FROM alpine:3.22@sha256:0 AS a\nFROM alpine:3.22@sha256:0\nCOPY --from=a /x /x\n" OK_TAIL},
    {"DF039", "FROM alpine:3.22@sha256:0 AS a\nFROM alpine:3.22@sha256:0 AS A\n" OK_TAIL,
     "FROM alpine:3.22@sha256:0 AS a\nFROM alpine:3.22@sha256:0 AS b\n" OK_TAIL},
    {"DF040", BASE "CMD python app.py\n" OK_TAIL, BASE "CMD [\"python\", \"app.py\"]\n" OK_TAIL},
    {"DF041", BASE "EXPOSE 70000\n" OK_TAIL, BASE "EXPOSE 8000\n" OK_TAIL},
    {"DF042", BASE "COPY a b /dest\n" OK_TAIL, BASE "COPY a b /dest/\n" OK_TAIL},
    {"DF043", BASE "RUN apt install -y x\n" OK_TAIL, BASE "RUN apt-get install -y --no-install-recommends x=1\n" OK_TAIL},
    {"DF044", BASE "RUN curl -o a https://x && wget https://y\n" OK_TAIL, BASE "RUN curl -o a https://x\n" OK_TAIL},
    {"DF045", BASE "RUN apt-get dist-upgrade -y\n" OK_TAIL, BASE "RUN apt-get upgrade -y\n" OK_TAIL},
    {"DF046", BASE "RUN wget -O- https://x | tar x\n" OK_TAIL,
     BASE "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN wget -O- https://x | tar x\n" OK_TAIL},
    {"DF047", "LABEL a=b\n" BASE OK_TAIL, "ARG V=1\n" BASE OK_TAIL},
    {"DF048", BASE "ONBUILD FROM x\n" OK_TAIL, BASE "ONBUILD RUN make\n" OK_TAIL},
    {"DF049", BASE "VOLUME /proc\n" OK_TAIL, BASE "VOLUME /data\n" OK_TAIL},
    {"DF050", BASE "RUN --mount=type=secret,id=npm npm ci\n" OK_TAIL, BASE "RUN npm ci\n" OK_TAIL},
    {"DF000", BASE "RUN --mount=type=nfs,target=/x ls\n" OK_TAIL, BASE "RUN --mount=type=cache,target=/x ls\n" OK_TAIL},
    {"DF051", BASE "RUN a\nRUN b\n" OK_TAIL, BASE "RUN a && b\n" OK_TAIL},
    {"DF052", BASE "ENV A=1 B=$A\n" OK_TAIL, BASE "ENV A=1\nENV B=$A\n" OK_TAIL},
    {"DF053", BASE "COPY app.py app/\n" OK_TAIL, BASE "WORKDIR /srv\nCOPY app.py app/\n" OK_TAIL},
    {"DF054", BASE "RUN ln -sf /bin/bash /bin/sh\n" OK_TAIL, BASE "SHELL [\"/bin/bash\", \"-c\"]\n" OK_TAIL},
    {"DF055", BASE "RUN useradd -u 123456 app\n" OK_TAIL, BASE "RUN useradd -l -u 123456 app\n" OK_TAIL},
    /* One answer with the runtime and image scanners: "00" is root, a sticky 1777 directory is
     * shared on purpose, a key fingerprint under GPG_KEY is public. */
    {"DF001", BASE "USER 00:0\nHEALTHCHECK CMD true\n", BASE "USER 1000\nHEALTHCHECK CMD true\n"},
    {"DF012", BASE "RUN chmod 0777 /srv/x\n" OK_TAIL, BASE "RUN chmod 1777 /srv/shared\n" OK_TAIL},
    {"DF012", BASE "RUN chmod a+rwx /srv/x\n" OK_TAIL, BASE "RUN chmod a+rwxt /srv/shared\n" OK_TAIL},
    {"DF012", BASE "RUN d=\"$(mktemp -d)\" && chmod 777 \"$d\" && make\n" OK_TAIL,
     BASE "RUN d=\"$(mktemp -d)\" && chmod 777 \"$d\" && make && rm -rf \"$d\"\n" OK_TAIL},
    {"DF004", BASE "ENV API_SECRET=Zm9vYmFyYmF6MTIzNDU2\n" OK_TAIL,
     BASE "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305\n" OK_TAIL},
    {"DF004", BASE "ENV DB_PASSWORD=s3cr3t-v4lue\n" OK_TAIL,
     BASE "ENV NODE_AUTH_TOKEN_URL=https://registry.example.org/path\n" OK_TAIL},
    {"DF067", "FROM alpine:3.22@sha256:0 AS b\nUSER root\nRUN make\nFROM alpine:3.22@sha256:0\n" OK_TAIL,
     "FROM alpine:3.22@sha256:0 AS b\nUSER root\nRUN make\nUSER 1\nFROM alpine:3.22@sha256:0\n" OK_TAIL},
    {"DF056", BASE "RUN service nginx start\n" OK_TAIL, BASE "RUN apt-get install -y --no-install-recommends vim=2\n" OK_TAIL},
    {"DF057", BASE "COPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt\n" OK_TAIL,
     BASE "ADD app.tar.gz /opt/\nRUN tar -czf /tmp/b.tar.gz /opt\n" OK_TAIL},
    {"DF058", BASE "RUN wget https://x/f.bin\n" OK_TAIL, BASE "RUN wget -q https://x/f.bin\n" OK_TAIL},
    {"DF059", BASE "LABEL Maintainer=me\n" OK_TAIL, BASE "LABEL org.opencontainers.image.title=x\n" OK_TAIL},
    {"DF061", "FROM --platform=$TARGETPLATFORM alpine:3.22@sha256:0\n" OK_TAIL,
     "FROM --platform=$BUILDPLATFORM alpine:3.22@sha256:0\n" OK_TAIL},
    {"DF062", BASE "USER app\nHEALTHCHECK CMD true\n", BASE "USER 10001:10001\nHEALTHCHECK CMD true\n"},
    {"DF063", "FROM alpine:3.22@sha256:0 AS b\nFROM scratch\nCOPY --from=b / /\n" OK_TAIL,
     "FROM alpine:3.22@sha256:0 AS b\nFROM scratch\nCOPY --from=b /app /app\n" OK_TAIL},
    {"DF064", BASE "# hadolint ignore=DL3008\nRUN true\n" OK_TAIL, BASE "# a comment\nRUN true\n" OK_TAIL},
    {"DF065", BASE "ARG GITHUB_TOKEN\nRUN git clone https://$GITHUB_TOKEN@github.com/o/r\n" OK_TAIL,
     BASE "ARG GITHUB_REPO\nRUN git clone https://github.com/$GITHUB_REPO\n" OK_TAIL},
    {"DF066", BASE "EXPOSE 9229\n" OK_TAIL, BASE "EXPOSE 8080\n" OK_TAIL},
    {"DF066", BASE "CMD [\"node\", \"--inspect=0.0.0.0:9229\", \"app.js\"]\n" OK_TAIL,
     BASE "CMD [\"node\", \"app.js\"]\n" OK_TAIL},
};

/* ---- hadolint parity: findings that carry each DL id (our own cases, from the documented
 * semantics of each rule): `hit` says whether one must. ---------------------------------------- */
static const struct {
    const char *dl;
    int hit;
    const char *text;
} dl_cases[] = {
    {"DL3001", 1, BASE "RUN ps aux\n"},
    {"DL3001", 1, BASE "RUN apt-get update && shutdown -h now\n"},
    {"DL3001", 0, BASE "RUN apt-get install -y --no-install-recommends openssh-client=1\n"},
    {"DL3002", 1, BASE "USER root\n"},
    {"DL3002", 0, BASE "USER root\nRUN make\nUSER 1000\n"},
    {"DL3002", 0, BASE "RUN make\n"},
    {"DL3002", 1, "FROM alpine:3.22@sha256:0 AS b\nUSER 0:0\nFROM alpine:3.22@sha256:0\nUSER 1\n"},
    {"DL3003", 1, BASE "RUN cd /usr/src && make\n"},
    {"DL3006", 1, "FROM debian\n"},
    {"DL3006", 0, "FROM debian:bookworm\n"},
    {"DL3006", 0, "FROM debian:latest\n"},
    {"DL3007", 1, "FROM debian:latest\n"},
    {"DL3007", 0, "FROM debian\n"},
    {"DL3008", 1, BASE "RUN apt-get install -y --no-install-recommends curl\n"},
    {"DL3008", 0, BASE "RUN apt-get install -y --no-install-recommends curl=8.5.0-2\n"},
    {"DL3008", 0, BASE "RUN apt-get install -y --no-install-recommends ./pkg.deb\n"},
    {"DL3008", 0, BASE "RUN apt-get -o Dpkg::Options::=--force-confnew install -y --no-install-recommends a=1\n"},
    {"DL3009", 1, BASE "RUN apt-get update && apt-get install -y --no-install-recommends a=1\n"},
    {"DL3009", 0, BASE "RUN apt-get update && apt-get install -y --no-install-recommends a=1 && rm -rf /var/lib/apt/lists/*\n"},
    {"DL3009", 0, BASE "RUN --mount=type=cache,target=/var/lib/apt/lists apt-get update && apt-get install -y --no-install-recommends a=1\n"},
    {"DL3010", 1, BASE "COPY v1.tar /tmp/\nRUN tar -xf /tmp/v1.tar\n"},
    {"DL3010", 1, BASE "COPY dist.zip /tmp/\nRUN unzip /tmp/dist.zip\n"},
    {"DL3010", 0, BASE "COPY v1.tar /tmp/\nRUN cp /tmp/v1.tar /opt/\n"},
    {"DL3013", 1, BASE "RUN pip install --no-cache-dir requests\n"},
    {"DL3013", 1, BASE "RUN pip3 install --no-cache-dir git+https://github.com/o/r.git\n"},
    {"DL3013", 1, BASE "RUN pipx install black\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir requests==2.31.0\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir 'requests>=2,<3'\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir 'requests!=2.0'\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir -c constraints.txt requests\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir --constraint c.txt flask\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir -r requirements.txt\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir .\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir --root-user-action ignore flask==3.0\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir git+https://github.com/o/r.git@v1.2\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir /wheels/app-1.0-py3-none-any.whl\n"},
    {"DL3014", 1, BASE "RUN apt-get install --no-install-recommends a=1\n"},
    {"DL3014", 0, BASE "RUN apt-get install -q -q --no-install-recommends a=1\n"},
    {"DL3014", 0, BASE "RUN apt-get install -qq --no-install-recommends a=1\n"},
    {"DL3014", 0, BASE "RUN apt-get install --assume-yes --no-install-recommends a=1\n"},
    {"DL3015", 1, BASE "RUN apt-get install -y a=1\n"},
    {"DL3016", 1, BASE "RUN npm install express\n"},
    {"DL3016", 1, BASE "RUN npm install -g @angular/cli\n"},
    {"DL3016", 1, BASE "RUN npm install git+https://github.com/o/r.git\n"},
    {"DL3016", 0, BASE "RUN npm install\n"},
    {"DL3016", 0, BASE "RUN npm install express@4.19.2\n"},
    {"DL3016", 0, BASE "RUN npm install -g @angular/cli@17.3.0\n"},
    {"DL3016", 0, BASE "RUN npm install git+https://github.com/o/r.git#v1.0\n"},
    {"DL3016", 0, BASE "RUN npm install ./local-pkg\n"},
    {"DL3016", 0, BASE "RUN npm ci\n"},
    {"DL3016", 0, BASE "RUN npm install --save-dev eslint@next\n"},
    {"DL3016", 1, BASE "RUN npm install https://example.org/repo/archive\n"},
    {"DL3016", 0, BASE "RUN npm install https://example.org/pkg-1.0.0.tgz\n"},
    {"DL3013", 0, BASE "RUN pip install --no-cache-dir git+ssh://git@github.com/o/r.git@1a2b3c4\n"},
    {"DL3018", 1, BASE "RUN apk add --no-cache git\n"},
    {"DL3018", 0, BASE "RUN apk add --no-cache git=2.52.0-r0\n"},
    {"DL3018", 0, BASE "RUN apk add --no-cache git~2.52\n"},
    {"DL3018", 0, BASE "RUN apk add --no-cache --virtual .build-deps gcc=14.2.0-r4\n"},
    {"DL3018", 0, BASE "RUN apk add --no-cache /tmp/pkg.apk\n"},
    {"DL3019", 1, BASE "RUN apk add git=2.52.0-r0\n"},
    {"DL3019", 0, BASE "RUN apk add --no-cache git=2.52.0-r0\n"},
    {"DL3019", 0, BASE "RUN --mount=type=cache,target=/var/cache/apk apk add git=2.52.0-r0\n"},
    {"DL3020", 1, BASE "ADD app.py /app/\n"},
    {"DL3021", 1, BASE "COPY a b /dest\n"},
    {"DL3023", 1, "FROM alpine:3.22@sha256:0 AS a\nCOPY --from=a /x /y\n"},
    {"DL3024", 1, "FROM alpine:3.22@sha256:0 AS a\nFROM alpine:3.22@sha256:0 AS a\n"},
    {"DL3025", 1, BASE "CMD run me\n"},
    {"DL3027", 1, BASE "RUN apt install -y a=1\n"},
    {"DL3028", 1, BASE "RUN gem install rails\n"},
    {"DL3028", 1, BASE "RUN gem i rails\n"},
    {"DL3028", 0, BASE "RUN gem install rails:7.1.3\n"},
    {"DL3028", 0, BASE "RUN gem install rails -v 7.1.3\n"},
    {"DL3028", 0, BASE "RUN gem install nokogiri:1.16.0 -- --use-system-libraries true\n"},
    {"DL3028", 0, BASE "RUN gem install nokogiri:1.16.0 --use-system-libraries true\n"},
    {"DL3030", 1, BASE "RUN yum install httpd-2.4 && yum clean all\n"},
    {"DL3032", 1, BASE "RUN yum install -y httpd-2.4\n"},
    {"DL3032", 1, BASE "RUN yum clean all && yum install -y httpd-2.4\n"},
    {"DL3032", 0, BASE "RUN yum install -y httpd-2.4 && yum clean all\n"},
    {"DL3033", 1, BASE "RUN yum install -y httpd && yum clean all\n"},
    {"DL3033", 0, BASE "RUN yum install -y httpd-2.4.57 && yum clean all\n"},
    {"DL3033", 0, BASE "RUN yum install -y /tmp/x.rpm && yum clean all\n"},
    {"DL3034", 1, BASE "RUN zypper install httpd=2.4 && zypper clean\n"},
    {"DL3035", 1, BASE "RUN zypper dist-upgrade -y\n"},
    {"DL3036", 1, BASE "RUN zypper install -y httpd=2.4\n"},
    {"DL3036", 0, BASE "RUN zypper install -y httpd=2.4 && zypper clean\n"},
    {"DL3036", 0, BASE "RUN --mount=type=cache,target=/var/cache/zypp zypper install -y httpd=2.4\n"},
    {"DL3037", 1, BASE "RUN zypper install -y httpd && zypper clean\n"},
    {"DL3037", 0, BASE "RUN zypper install -y httpd=2.4 && zypper clean\n"},
    {"DL3038", 1, BASE "RUN dnf install httpd-2.4.57 && dnf clean all\n"},
    {"DL3040", 1, BASE "RUN dnf install -y httpd-2.4.57\n"},
    {"DL3040", 1, BASE "RUN dnf clean all && dnf install -y httpd-2.4.57\n"},
    {"DL3040", 0, BASE "RUN dnf install -y httpd-2.4.57 && dnf clean all\n"},
    {"DL3040", 0, BASE "RUN --mount=type=cache,target=/var/cache/dnf dnf install -y httpd-2.4.57\n"},
    {"DL3041", 1, BASE "RUN dnf install -y httpd && dnf clean all\n"},
    {"DL3041", 1, BASE "RUN dnf in -y httpd && dnf clean all\n"},
    {"DL3041", 1, BASE "RUN dnf reinstall -y httpd && dnf clean all\n"},
    {"DL3041", 1, BASE "RUN dnf install -y mod-ssl && dnf clean all\n"},
    {"DL3041", 0, BASE "RUN dnf install -y httpd-2.4.57 && dnf clean all\n"},
    {"DL3041", 0, BASE "RUN dnf module install -y nodejs:20 && dnf clean all\n"},
    {"DL3042", 1, BASE "RUN pip install flask==3.0\n"},
    {"DL3042", 1, BASE "ENV PIP_NO_CACHE_DIR=0\nRUN pip install flask==3.0\n"},
    {"DL3042", 1, BASE "ENV PIP_NO_CACHE_DIR=off\nRUN pip install flask==3.0\n"},
    {"DL3042", 0, BASE "ENV PIP_NO_CACHE_DIR=1\nRUN pip install flask==3.0\n"},
    {"DL3042", 0, BASE "RUN PIP_NO_CACHE_DIR=true pip install flask==3.0\n"},
    {"DL3042", 0, BASE "RUN export PIP_NO_CACHE_DIR=1 && pip install flask==3.0\n"},
    {"DL3042", 0, "FROM python:3.12@sha256:0 AS base\nENV PIP_NO_CACHE_DIR=1\nFROM base\nRUN pip install flask==3.0\n"},
    {"DL3042", 0, BASE "RUN --mount=type=cache,target=/root/.cache/pip pip install flask==3.0\n"},
    {"DL3042", 0, BASE "RUN pipx install black==24.1\n"},
    {"DL3044", 1, BASE "ENV A=1 B=$A\n"},
    {"DL3045", 1, BASE "COPY a.txt b/\n"},
    {"DL3046", 1, BASE "RUN useradd -u 1000000 app\n"},
    {"DL3047", 1, BASE "RUN wget https://x/a.tgz\n"},
    {"DL3047", 0, BASE "RUN wget --progress=dot:giga https://x/a.tgz\n"},
    {"DL3047", 0, BASE "RUN wget -nv https://x/a.tgz\n"},
    {"DL3047", 0, BASE "RUN wget -qO- https://x/a.tgz | tar xz\n"},
    {"DL3047", 1, BASE "RUN wget -O /tmp/a https://x/a\n"},
    {"DL3047", 0, BASE "RUN wget -o /tmp/wget.log https://x/a\n"},
    {"DL3048", 1, BASE "LABEL com.docker.thing=x\n"},
    {"DL3048", 1, BASE "LABEL my..label=x\n"},
    {"DL3048", 0, BASE "LABEL org.example.version=1\n"},
    {"DL3059", 1, BASE "RUN a\nRUN b\n"},
    {"DL3060", 1, BASE "RUN yarn install\n"},
    {"DL3060", 0, BASE "RUN yarn install && yarn cache clean\n"},
    {"DL3061", 1, "LABEL a=b\n" BASE},
    {"DL3062", 1, BASE "RUN go install example.com/cmd/tool\n"},
    {"DL3062", 1, BASE "RUN go install example.com/cmd/tool@latest\n"},
    {"DL3062", 1, BASE "RUN go get example.com/pkg@latest\n"},
    {"DL3062", 0, BASE "RUN go install example.com/cmd/tool@v1.2.3\n"},
    {"DL3062", 0, BASE "RUN go install ./...\n"},
    {"DL3063", 1, BASE "RUN make\n"},
    {"DL3063", 0, BASE "USER 1000\n"},
    {"DL3064", 1, BASE "ARG DB_PASSWORD\n"},
    {"DL3064", 1, BASE "ENV SECRET_KEY=abcdef123456\n"},
    {"DL3064", 0, BASE "ENV APP_HOME=/srv\n"},
    {"DL3065", 1, "FROM --platform=${TARGETPLATFORM} alpine:3.22@sha256:0\n"},
    {"DL3066", 1, BASE "USER app:app\n"},
    {"DL3066", 0, BASE "USER 1000:1000\n"},
    {"DL3067", 1, "FROM alpine:3.22@sha256:0 AS b\nFROM scratch\nCOPY --from=b / /\n"},
    {"DL1001", 1, BASE "# hadolint ignore=DL3003\nRUN cd /x\n"},
    {"DL1001", 0, BASE "# hadolint global ignore=DL3003\nRUN true\n"},
    {"DL4000", 1, BASE "MAINTAINER me\n"},
    {"DL4001", 1, BASE "RUN curl -o a https://x && wget -q https://y\n"},
    {"DL4003", 1, BASE "CMD [\"a\"]\nCMD [\"b\"]\n"},
    {"DL4003", 0, BASE "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n"},
    {"DL4004", 1, BASE "ENTRYPOINT [\"a\"]\nENTRYPOINT [\"b\"]\n"},
    {"DL4005", 1, BASE "RUN ln -sf /bin/bash /bin/sh\n"},
    {"DL4006", 1, BASE "RUN wget -qO- https://x | tar xz\n"},
    {"DL3000", 0, BASE "ARG work=/srv\nWORKDIR ${work}\n"},
    {"DL3000", 0, BASE "WORKDIR $HOME/app\n"},
    {"DL3000", 1, BASE "WORKDIR app\n"},
    {"DL3059", 1, BASE "RUN a\n# a note\n\nRUN b\n"},
    {"DL3059", 0, BASE "RUN a && b && c\nRUN d\n"},
    {"DL3059", 0, BASE "RUN --mount=type=cache,target=/x a\nRUN b\n"},
    {"DL3059", 0, BASE "RUN a\nENV X=1\nRUN b\n"},
    {"DL3022", 1, BASE "COPY --from=builder /a /a\n"},
    {"DL3022", 0, "FROM alpine:3.22@sha256:0 AS builder\nFROM alpine:3.22@sha256:0\nCOPY --from=builder /a /a\n"},
    {"DL3022", 0, BASE "COPY --from=nginx:1.27 /etc/nginx /etc/nginx\n"},
    {"DL3045", 1, "FROM alpine:3.22@sha256:0 AS a\nFROM a\nCOPY x y\n"},
    {"DL3045", 0, "FROM alpine:3.22@sha256:0 AS a\nWORKDIR /w\nFROM a\nCOPY x y\n"},
    {"DL3045", 0, BASE "COPY x \"/abs\"\n"},
    {"DL3045", 0, BASE "ADD x y\n"},
    {"DL3021", 0, BASE "ADD a b /dest\n"},
    {"DL3057", 1, BASE "RUN true\n"},
    {"DL3057", 0, BASE "HEALTHCHECK NONE\n"},
    {"DL3026", 0, "FROM quay.io/org/x:1@sha256:0\n"},
    {"DL3009", 1, BASE "RUN apt-get update\n"},
    {"DL3009", 0, "FROM debian:12@sha256:0 AS build\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=12\n"
                  "FROM alpine:3.22@sha256:0\nCOPY --from=build /x /x\n"},
    {"DL3009", 1, "FROM debian:12@sha256:0 AS base\nRUN apt-get update && apt-get install -y --no-install-recommends gcc=12\n"
                  "FROM base\nRUN true\n"},
    {"DL3046", 1, BASE "RUN useradd --uid=2000000 app\n"},
    {"DL3064", 1, BASE "ENV GITHUB_TOKEN_URL=https://example.org/t\n"},
    {"DL3064", 0, BASE "ENV GPG_KEY=7169605F62C751356D054A26A821E680E5FA6305\n"},
};

static int
has_alias(const struct finding *f, const char *dl)
{
    size_t n = strlen(dl);

    for (const char *p = f->aliases; p != NULL && *p;) {
        size_t l = strcspn(p, ",");
        if (l == n && strncmp(p, dl, n) == 0)
            return 1;
        p += l + (p[l] == ',');
    }
    return 0;
}

/* The one secret-value classifier (detect/classify.c) on values official images set. */
static void
test_secret_classifier(void **state)
{
    static const struct {
        const char *name, *value;
        int secret;
    } v[] = {
        {"GPG_KEY", "A035C8C19219BA821ECEA86B64E628F8D684696D", 0},
        {"WORDPRESS_CLI_GPG_KEY", "63AF7AA15067C05616FDDD88A3A2E8F226F0BC06", 0},
        {"NODE_KEYS", "4ED778F539E3634C779C87C6D7062848A1AB005C 141F07595B7B3FFE74309A937405533BE57C7D57", 0},
        {"SIGNING_KEY_ID", "0x8E6DA0A3EE8BFA13", 0},
        {"APP_TOKEN_SHA256", "0d3ff6e2c4ad3e5e7bfd0b2d2a0e8b67ad6a3b5d9d1e8a0f1b2c3d4e5f6a7b8c9", 0},
        {"SECRET_CHECKSUM", "sha512:9b71d224bd62f3785d96d46ad3ea3d73319bfbc2890caadae2dff72519673ca7", 0},
        {"VAULT_TOKEN_VERSION", "1.18.2", 0},
        {"TLS_CERT_PASSWORD", "-----BEGIN CERTIFICATE-----\nMIIB", 0},
        {"API_KEY", "https://api.internal.corp/v1/keys", 0},
        {"DB_PASSWORD", "hunter2-prod-Secret", 1},
        {"API_KEY", "https://user:pa55word@api.internal.corp/", 1},
        {"API_TOKEN", "https://api.internal.corp/x?token=Zq81abcdef0123", 1},
        {"GPG_KEY", "not-hex-at-all-but-a-passphrase", 1},
        {"SECRET_KEY", "k9P2vX7qLm", 1},
    };
    (void)state;

    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        if (detect_literal_secret(v[i].name, strlen(v[i].name), v[i].value, strlen(v[i].value)) !=
            v[i].secret)
            fail_msg("%s=%s: expected %s", v[i].name, v[i].value,
                     v[i].secret ? "a secret" : "public");
}

static void
test_hadolint_parity(void **state)
{
    struct findings f;
    (void)state;

    for (size_t i = 0; i < sizeof(dl_cases) / sizeof(dl_cases[0]); i++) {
        size_t n = 0;
        scan(dl_cases[i].text, NULL, NULL, &f);
        for (size_t k = 0; k < f.n; k++)
            n += (size_t)has_alias(&f.items[k], dl_cases[i].dl);
        if ((n > 0) != (dl_cases[i].hit != 0))
            fail_msg("%s: expected %s:\n%s", dl_cases[i].dl,
                     dl_cases[i].hit ? "a finding" : "no finding", dl_cases[i].text);
        findings_free(&f);
    }
}

static void
test_every_rule(void **state)
{
    struct findings f;
    char seen[128] = "";
    (void)state;

    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        scan(cases[i].pos, NULL, NULL, &f);
        if (count(&f, cases[i].id) == 0)
            fail_msg("%s: positive case not reported:\n%s", cases[i].id, cases[i].pos);
        findings_free(&f);
        scan(cases[i].neg, NULL, NULL, &f);
        if (count(&f, cases[i].id) != 0)
            fail_msg("%s: negative case reported:\n%s", cases[i].id, cases[i].neg);
        findings_free(&f);
        (void)seen;
    }
    /* Every rule of the table has a case here or in test_context (DF007, DF027). */
    for (size_t r = 0; r < df_rule_count(); r++) {
        const char *id = df_rule_at(r)->id;
        int found = strcmp(id, "DF007") == 0 || strcmp(id, "DF027") == 0 ||
                    strcmp(id, "DF060") == 0; /* test_label_schema */
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !found; i++)
            found = strcmp(cases[i].id, id) == 0;
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]) && !found; i++)
            found = strstr(cases[i].id, id) != NULL;
        if (!found)
            fail_msg("rule %s has no test case", id);
        assert_non_null(df_rule_at(r)->remediation);
    }
}

static void
test_locations_and_redaction(void **state)
{
    struct findings f;
    (void)state;

    scan(BASE "ENV A=1 \\\n    DB_PASSWORD=hunter2-very-secret\n" OK_TAIL, NULL, NULL, &f);
    const struct finding *x = first(&f, "DF004");
    assert_non_null(x);
    assert_int_equal(x->line, 3);
    assert_int_equal(x->column, 17);
    assert_non_null(x->secret_redacted);
    assert_null(strstr(x->message, "hunter2"));
    assert_null(strstr(x->secret_redacted, "hunter2-very"));
    findings_free(&f);
    /* A secret in a heredoc line gets that line. */
    scan(BASE "RUN <<EOF\necho start\necho AKIAQ3EGRTXJ7W2LMN5P\nEOF\n" OK_TAIL, NULL, NULL, &f);
    x = first(&f, "DF003");
    assert_non_null(x);
    assert_int_equal(x->line, 4);
    assert_int_equal(x->column, 6);
    findings_free(&f);
}

static void
test_suppression_and_config(void **state)
{
    struct findings f;
    struct scanner_opts o;
    char ini[512];
    (void)state;

    scan(BASE "# scanner ignore=DF010\nEXPOSE 22\n# hadolint ignore=DL3004\nRUN sudo x\n" OK_TAIL,
         NULL, NULL, &f);
    assert_int_equal(count(&f, "DF010"), 0);
    assert_int_equal(count(&f, "DF011"), 0);
    findings_free(&f);
    /* The pragma applies to the next line only. */
    scan(BASE "# scanner ignore=DF010\n\nEXPOSE 22\n" OK_TAIL, NULL, NULL, &f);
    assert_int_equal(count(&f, "DF010"), 1);
    findings_free(&f);
    scan("# hadolint global ignore=DL3007\nFROM alpine:latest\n" OK_TAIL, NULL, NULL, &f);
    assert_int_equal(count(&f, "DF002"), 0);
    findings_free(&f);
    scan("# check=skip=JSONArgsRecommended;error=true\n" BASE "CMD run me\n" OK_TAIL, NULL, NULL, &f);
    assert_int_equal(count(&f, "DF040"), 0);
    findings_free(&f);

    static const char *const ign[] = {"DS-0004", "DF031"};
    memset(&o, 0, sizeof(o));
    o.ignore = ign;
    o.nignore = 2;
    scan("FROM alpine:3.22\nEXPOSE 22\n" OK_TAIL, &o, NULL, &f);
    assert_int_equal(count(&f, "DF010"), 0);
    assert_int_equal(count(&f, "DF031"), 0);
    findings_free(&f);

    snprintf(ini, sizeof(ini), "%s/scanner.ini", tmpdir);
    FILE *fp = fopen(ini, "w");
    assert_non_null(fp);
    fputs("[dockerfile]\ntrusted_registries = quay.io/org\nsensitive_ports = 8080\n"
          "disable = DF031\n[severity]\nDF010 = low\n",
          fp);
    fclose(fp);
    memset(&o, 0, sizeof(o));
    o.config = ini;
    scan("FROM quay.io/org/app:1\nEXPOSE 22 8080\n" OK_TAIL, &o, NULL, &f);
    assert_int_equal(count(&f, "DF024"), 0);
    assert_int_equal(count(&f, "DF031"), 0);
    assert_int_equal(count(&f, "DF010"), 1);
    assert_int_equal(first(&f, "DF010")->severity, SEV_LOW);
    assert_non_null(strstr(first(&f, "DF010")->message, "8080"));
    findings_free(&f);
    scan("FROM quay.io/other/app:1\n" OK_TAIL, &o, NULL, &f);
    assert_int_equal(count(&f, "DF024"), 1);
    findings_free(&f);
    /* A bad config is an error with file:line. */
    fp = fopen(ini, "w");
    fputs("[severity]\nDF010 = extreme\n", fp);
    fclose(fp);
    findings_init(&f);
    assert_true(dockerfile_scan_buffer("Dockerfile", BASE, strlen(BASE), &o, NULL, &f) < 0);
    assert_non_null(strstr(err_message(), "scanner.ini:2"));
    findings_free(&f);
}

static void
write_file(const char *dir, const char *name, const char *text)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    char *slash = strrchr(p, '/');
    *slash = '\0';
    mkdir(p, 0755);
    *slash = '/';
    FILE *fp = fopen(p, "w");
    assert_non_null(fp);
    fputs(text, fp);
    fclose(fp);
}

/* .hadolint.yaml label-schema and strict-labels, from the context directory. */
static void
test_label_schema(void **state)
{
    static const struct {
        const char *dl;
        int hit;
        const char *labels;
    } lc[] = {
        {"DL3049", 1, "LABEL org.example.url=https://example.org\n"},
        {"DL3049", 0, "LABEL owner=ops org.example.url=https://example.org "
                      "built=2024-02-29T10:11:12Z license=MIT rev=0a1b2c3 ver=1.0.0 "
                      "mail=a@example.org\n"},
        {"DL3050", 1, "LABEL owner=ops extra=1\n"},
        {"DL3050", 0, "LABEL owner=ops\n"},
        {"DL3051", 1, "LABEL owner=\"\"\n"},
        {"DL3052", 1, "LABEL owner=ops org.example.url=example-dot-org\n"},
        {"DL3052", 0, "LABEL owner=ops org.example.url=https://example.org/x\n"},
        {"DL3053", 1, "LABEL owner=ops built=2024-13-01T00:00:00Z\n"},
        {"DL3053", 0, "LABEL owner=ops built=2024-02-29T10:11:12+01:00\n"},
        {"DL3054", 1, "LABEL owner=ops license=Apache\n"},
        {"DL3054", 0, "LABEL owner=ops license=Apache-2.0\n"},
        {"DL3055", 1, "LABEL owner=ops rev=xyz1234\n"},
        {"DL3055", 0, "LABEL owner=ops rev=0a1b2c3\n"},
        {"DL3056", 1, "LABEL owner=ops ver=v1.2\n"},
        {"DL3056", 0, "LABEL owner=ops ver=1.2.3-rc.1+build.5\n"},
        {"DL3058", 1, "LABEL owner=ops mail=ops-at-example\n"},
        {"DL3058", 0, "LABEL owner=ops mail=ops@example.org\n"},
    };
    char ctx[300], text[512];
    struct findings f;
    (void)state;

    snprintf(ctx, sizeof(ctx), "%s/labels", tmpdir);
    mkdir(ctx, 0755);
    write_file(ctx, ".hadolint.yaml",
               "# schema\nlabel-schema:\n  owner: text\n  org.example.url: url\n"
               "  built: rfc3339\n  license: spdx\n  rev: hash\n  ver: semver\n"
               "  mail: email\nstrict-labels: true\n");
    for (size_t i = 0; i < sizeof(lc) / sizeof(lc[0]); i++) {
        size_t n = 0;
        snprintf(text, sizeof(text), BASE "%s" OK_TAIL, lc[i].labels);
        scan(text, NULL, ctx, &f);
        for (size_t k = 0; k < f.n; k++)
            n += strcmp(f.items[k].rule, "DF060") == 0 && has_alias(&f.items[k], lc[i].dl);
        if ((n > 0) != (lc[i].hit != 0))
            fail_msg("%s: expected %s:\n%s", lc[i].dl, lc[i].hit ? "a finding" : "no finding",
                     text);
        findings_free(&f);
    }
    /* The context cache: a reset picks up a file written since. */
    scan(BASE "COPY . /app\n" OK_TAIL, NULL, ctx, &f);
    size_t before = count(&f, "DF007");
    findings_free(&f);
    write_file(ctx, "new.ini", "gh = ghp_R8mZtV2qLx9nPb4Kc7Wd1Hy6Js3Fg0AeUo5i\n");
    dockerfile_context_cache_reset();
    scan(BASE "COPY . /app\n" OK_TAIL, NULL, ctx, &f);
    assert_int_equal(count(&f, "DF007"), before + 1);
    findings_free(&f);
    /* A hostile .hadolint.yaml: bounded, never fatal. */
    {
        struct buf y = {0};
        buf_printf(&y, "ignored: [DL3008,,\ntrustedRegistries: [\n  - \nlabel-schema:\n"
                       "  : \n  \"\":\"\"\n  noval\n");
        for (int i = 0; i < 2000; i++)
            buf_printf(&y, "  l%d: %s\n", i, i % 2 ? "url" : "semver");
        buf_printf(&y, "\x01\xff:\n");
        for (int i = 0; i < 5000; i++)
            buf_printf(&y, "x");
        buf_printf(&y, ": [");
        write_file(ctx, ".hadolint.yaml", y.data);
        buf_free(&y);
        scan(BASE "LABEL l1=x l2=1.0.0\n" OK_TAIL, NULL, ctx, &f);
        assert_true(count(&f, "DF060") > 0);
        findings_free(&f);
    }
    /* Without a schema: nothing. */
    scan(BASE "LABEL anything=1\n" OK_TAIL, NULL, tmpdir, &f);
    assert_int_equal(count(&f, "DF060"), 0);
    findings_free(&f);
}

static void
test_context(void **state)
{
    char ctx[300];
    struct findings f;
    (void)state;

    snprintf(ctx, sizeof(ctx), "%s/ctx", tmpdir);
    mkdir(ctx, 0755);
    write_file(ctx, "app.py", "print('hi')\n");
    write_file(ctx, ".env", "API_URL=https://x\nDB_PASSWORD=correct-horse-battery\n");
    write_file(ctx, "conf/settings.ini", "aws_key = AKIAQ3EGRTXJ7W2LMN5P\n");
    write_file(ctx, "keys/deploy.pem", "not really a key\n");

    /* No .dockerignore: DF027, and the secrets COPY . brings in: DF005/DF007 with both places. */
    scan(BASE "COPY . /app\n" OK_TAIL, NULL, ctx, &f);
    assert_int_equal(count(&f, "DF027"), 1);
    assert_true(count(&f, "DF005") >= 2); /* .env, keys/deploy.pem */
    assert_true(count(&f, "DF007") >= 2); /* settings.ini key, .env password */
    const struct finding *x = NULL;
    for (size_t i = 0; i < f.n; i++)
        if (strcmp(f.items[i].rule, "DF007") == 0 && strstr(f.items[i].path, "settings.ini"))
            x = &f.items[i];
    assert_non_null(x);
    assert_int_equal(x->line, 1);
    assert_int_equal(x->column, 11);
    assert_non_null(strstr(x->message, "Dockerfile:2"));
    findings_free(&f);

    /* Only app.py copied: nothing from the others. */
    scan(BASE "COPY app.py /app/\n" OK_TAIL, NULL, ctx, &f);
    assert_int_equal(count(&f, "DF005") + count(&f, "DF007") + count(&f, "DF027"), 0);
    findings_free(&f);

    /* A .dockerignore with exceptions and ** excludes them; one that misses .git is flagged. */
    write_file(ctx, ".dockerignore", "# comment\n.env*\n**/*.pem\n/conf\n!conf/public.ini\n*.key\nid_*\n");
    scan(BASE "COPY . /app\n" OK_TAIL, NULL, ctx, &f);
    assert_int_equal(count(&f, "DF005"), 0);
    assert_int_equal(count(&f, "DF007"), 0);
    assert_int_equal(count(&f, "DF027"), 1);
    assert_non_null(strstr(first(&f, "DF027")->message, ".git"));
    findings_free(&f);
    write_file(ctx, ".dockerignore", ".git\n.env*\n**/*.pem\n*.key\nid_*\nconf\n");
    scan(BASE "COPY . /app\n" OK_TAIL, NULL, ctx, &f);
    assert_int_equal(count(&f, "DF027"), 0);
    findings_free(&f);
    /* A copy in a build stage only: DF016. */
    char p[400];
    snprintf(p, sizeof(p), "%s/.dockerignore", ctx);
    unlink(p);
    scan("FROM alpine:3.22@sha256:0 AS b\nCOPY conf/ /c/\nFROM alpine:3.22@sha256:0\n" OK_TAIL,
         NULL, ctx, &f);
    assert_int_equal(count(&f, "DF007"), 0);
    assert_int_equal(count(&f, "DF016"), 1);
    findings_free(&f);
}

/* The .hadolint.yaml reader on arbitrary bytes: bounded, no crash, everything freed. */
static void
hostile_yaml(void)
{
    static const char *const seeds[] = {
        "label-schema:\n  a: url\n", "ignored: [DL1, DL2\n", "trustedRegistries:\n  - x\n  -\n",
        "strict-labels: true\n", ":\n::\n- -\n\"\n'", "label-schema:\n\t\"k\":'v'\n",
    };
    unsigned x = 12345;
    char buf[512];

    for (int round = 0; round < 2000; round++) {
        size_t n = 0;
        while (n < sizeof(buf) - 64) {
            x = x * 1103515245u + 12345u;
            if (x % 5 == 0) {
                const char *sd = seeds[(x >> 8) % (sizeof(seeds) / sizeof(seeds[0]))];
                size_t l = strlen(sd);
                memcpy(buf + n, sd, l);
                n += l;
            } else {
                buf[n++] = (char)(x >> 16);
            }
            if ((x >> 4) % 97 == 0)
                break;
        }
        struct df_config cfg;
        memset(&cfg, 0, sizeof(cfg));
        assert_int_equal(df_hadolint_yaml_parse(&cfg, buf, n), 0);
        assert_true(cfg.nlabels <= 256);
        df_config_free(&cfg);
    }
}

static void
test_hostile(void **state)
{
    struct findings f;
    hostile_yaml();
    char *big;
    size_t n = 1 << 20;
    (void)state;

    /* Deep continuation, binary bytes, NULs, lone escapes, unterminated everything. */
    static const char *const bad[] = {
        "\\", "\\\n\\\n\\\n", "FROM", "FROM ${", "RUN <<", "RUN <<\"\n", "COPY <<A <<B\nA\n",
        "ENV =\nENV ==\nARG\nLABEL \"", "FROM a AS\nCOPY --from= x y\n", "# escape=\n# escape=`\n`",
        "ONBUILD\nONBUILD ONBUILD ONBUILD RUN x\n", "EXPOSE -1 99999999999999999999 a-b\n",
        "FROM ${a:-${b:-${c:-${d:-${e:-${f:-${g:-${h:-${i:-${j:-${k:-x}}}}}}}}}}}\n",
        "RUN [\"a\", 1]\nCMD [\nSHELL []\n", "HEALTHCHECK\nUSER\nWORKDIR\nVOLUME\n",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        scan(bad[i], NULL, NULL, &f);
        findings_free(&f);
    }
    big = malloc(n + 1);
    assert_non_null(big);
    memset(big, ' ', n); /* every byte defined, whatever the loops below leave */
    memcpy(big, "FROM alpine:3.22\nRUN a", 22);
    for (size_t i = 22; i + 3 < n; i += 3)
        memcpy(big + i, " \\\n", 3);
    big[n - 1] = '\n';
    big[n] = '\0';
    scan(big, NULL, NULL, &f);
    findings_free(&f);
    /* One RUN of 500,000 words: bounded (a DF000 says the rest was not analysed). */
    memcpy(big, "FROM alpine:3.22\nRUN ", 21);
    for (size_t i = 21; i + 2 < n; i += 2)
        memcpy(big + i, "a ", 2);
    big[n - 1] = '\n';
    scan(big, NULL, NULL, &f);
    assert_true(count(&f, "DF000") > 0);
    findings_free(&f);
    for (size_t i = 0; i < n; i++)
        big[i] = (char)(i * 2654435761u >> 13);
    findings_init(&f);
    assert_int_equal(dockerfile_scan_buffer("Dockerfile", big, n, NULL, NULL, &f), 0);
    assert_true(count(&f, "DF000") > 0);
    findings_free(&f);
    free(big);
}

int
main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spans_and_continuations),
        cmocka_unit_test(test_escape_directive_bom_crlf),
        cmocka_unit_test(test_heredocs),
        cmocka_unit_test(test_json_and_fallback),
        cmocka_unit_test(test_expansion_and_stages),
        cmocka_unit_test(test_glob_and_image),
        cmocka_unit_test(test_every_rule),
        cmocka_unit_test(test_hadolint_parity),
        cmocka_unit_test(test_secret_classifier),
        cmocka_unit_test(test_locations_and_redaction),
        cmocka_unit_test(test_suppression_and_config),
        cmocka_unit_test(test_context),
        cmocka_unit_test(test_label_schema),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
