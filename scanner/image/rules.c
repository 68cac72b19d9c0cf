/* image_rules: the rule rows of the image scanner (ids IMG…), with their aliases in Trivy,
 * Dockle, Checkov and hadolint. docs/rules.md "Images" describes each one. */
#include "image.h"

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

/* Every row above, for listings (docs/rules.md, SARIF rule lists). */
static const struct rule_meta *const img_rules[] = {
    &img_rule_volume,       &img_rule_old,           &img_rule_eol,
    &img_rule_cred_file,    &img_rule_private_key,   &img_rule_env_file,
    &img_rule_history_file, &img_rule_git_dir,       &img_rule_setuid,
    &img_rule_world_writable, &img_rule_empty_password, &img_rule_dup_uid0,
    &img_rule_removed_secret,
};

const struct rule_meta *
img_rule_at(size_t i)
{
    return i < sizeof(img_rules) / sizeof(img_rules[0]) ? img_rules[i] : NULL;
}
