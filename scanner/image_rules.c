/* image_rules: the rule rows of the image scanner (ids IMG…), with their aliases in Trivy,
 * Dockle, Checkov and hadolint. docs/rules.md "Images" describes each one. */
#include "image_internal.h"

/* Checks that are the Dockerfile scanner's too keep its ids, severities and aliases (the rows
 * match scanner/dockerfile_catalog.c), so one baseline or ignore list covers both. */
const struct rule_meta img_rule_user_root = {
    "DF001", SEV_CRITICAL, "user", "The final image runs as root",
    "Add `USER <non-root user>` (e.g. `USER 10001:10001`) as the last USER of the final stage.",
    "DL3002,DS-0002,CIS-DI-0001,CKV_DOCKER_3,CKV_DOCKER_8,CIS-4.1"};
const struct rule_meta img_rule_env_secret = {
    "DF003", SEV_CRITICAL, "secret", "Hardcoded secret in the Dockerfile",
    "Remove the value, rotate it, and pass it at build time with `RUN --mount=type=secret` or "
    "at run time from a secret store.",
    "DS-0031,CIS-DI-0010,CKV_SECRET_2,CKV_SECRET_6,CIS-4.10"};
const struct rule_meta img_rule_env_name = {
    "DF004", SEV_CRITICAL, "secret", "Secret-like variable set to a literal value",
    "Do not bake secrets into ENV/ARG/LABEL (they stay in the image config and history); use "
    "`RUN --mount=type=secret,id=...` or inject at run time.",
    "DL3064,DS-0031,CIS-DI-0010,SecretsUsedInArgOrEnv,CIS-4.10"};
const struct rule_meta img_rule_no_healthcheck = {
    "DF020", SEV_MEDIUM, "hygiene", "No HEALTHCHECK in the final image",
    "Add `HEALTHCHECK CMD <probe>` so the engine can tell a hung service from a live one.",
    "DL3057,DS-0026,CIS-DI-0006,CKV_DOCKER_2,CIS-4.6"};
const struct rule_meta img_rule_port = {
    "DF010", SEV_HIGH, "network", "Sensitive port exposed",
    "Do not EXPOSE remote-administration or database ports; reach them through a private "
    "network or a tunnel.",
    "DS-0004,CKV_DOCKER_1,CIS-5.8"};
const struct rule_meta img_rule_volume = {
    "IMG007", SEV_HIGH, "runtime", "VOLUME on a kernel filesystem (/proc, /sys, /dev)",
    "Remove the VOLUME; never mount the host's /proc, /sys or /dev into a container",
    "DKL-DI-0002"};
const struct rule_meta img_rule_old = {
    "IMG009", SEV_MEDIUM, "supply-chain", "Image older than the maximum age",
    "Rebuild the image regularly on an updated base image", "CIS-DI-0004,CIS-4.7"};
const struct rule_meta img_rule_eol = {
    "IMG010", SEV_MEDIUM, "supply-chain", "End-of-life operating system",
    "Move to a supported release of the base distribution", "CIS-DI-0004"};
const struct rule_meta img_rule_cred_file = {
    "IMG011", SEV_CRITICAL, "secret", "Credential file in a layer",
    "Do not COPY credential files into images; use build secrets (`RUN --mount=type=secret`) "
    "and a .dockerignore, then rotate the credential",
    "DF005,CIS-DI-0010,DKL-LI-0003"};
const struct rule_meta img_rule_private_key = {
    "IMG012", SEV_CRITICAL, "secret", "Private key file in a layer",
    "Remove the key from the build context (.dockerignore), rebuild and replace the key pair",
    "DF005,CIS-DI-0010"};
const struct rule_meta img_rule_env_file = {
    "IMG013", SEV_CRITICAL, "secret", ".env file with secret values in a layer",
    "Keep .env files out of images (.dockerignore); inject settings at run time and rotate",
    "DF005,CIS-DI-0010"};
const struct rule_meta img_rule_history_file = {
    "IMG014", SEV_MEDIUM, "secret", "Shell history file in a layer",
    "Delete shell histories in the same RUN step that created them, or keep them out of the "
    "build context",
    NULL};
const struct rule_meta img_rule_git_dir = {
    "IMG015", SEV_MEDIUM, "hygiene", ".git directory in a layer",
    "Add .git to .dockerignore; the repository history can hold secrets and source",
    "DKL-LI-0003"};
const struct rule_meta img_rule_setuid = {
    "IMG016", SEV_HIGH, "privilege", "setuid/setgid file outside the allowlist",
    "Remove the bit (`chmod u-s,g-s FILE`) in the build unless the program needs it",
    "CIS-DI-0008,CIS-4.8"};
const struct rule_meta img_rule_world_writable = {
    "IMG017", SEV_MEDIUM, "privilege", "World-writable file or directory without the sticky bit",
    "Drop the o+w bit, or set the sticky bit (`chmod +t`) on shared directories", "DF012"};
const struct rule_meta img_rule_empty_password = {
    "IMG018", SEV_CRITICAL, "user", "Account with an empty password in /etc/shadow",
    "Lock the account (`passwd -l`) or set `*`/`!` in the password field", "DKL-LI-0001"};
const struct rule_meta img_rule_dup_uid0 = {
    "IMG019", SEV_HIGH, "user", "More than one account with UID 0 in /etc/passwd",
    "Give every account but root a unique non-zero UID", "DKL-LI-0002"};
const struct rule_meta img_rule_removed_secret = {
    "IMG020", SEV_CRITICAL, "secret", "Secret deleted or overwritten in a later layer is still in the image",
    "Deleting a file in a later layer does not remove it: rebuild without it (multi-stage or "
    "build secrets), then rotate the secret",
    "CIS-DI-0010"};
