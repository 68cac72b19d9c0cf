/* runtime_rules: the table of runtime rules (one row and one check each) and the loop that runs
 * them over a runtime description, whether it came from a container or a Compose service. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "runtime.h"

#define CIS(x) "CIS-Docker-1.6.0-" x ",docker-bench-" x
/* Kubernetes equivalents: Checkov, Trivy, kubesec and the Pod Security Standards level whose
 * policy the setting breaks. */
#define K8S(x) "," x

const struct runtime_rule runtime_rules[] = {
    {{"RT001", SEV_CRITICAL, "runtime", "Container runs privileged",
      "Remove --privileged / `privileged: true` (Kubernetes: `securityContext.privileged`); add "
      "only the capabilities and devices the process needs.",
      CIS("5.5") K8S("CKV_K8S_16,KSV017,kubesec-Privileged,PSS-baseline")},
     rt_check_privileged},
    {{"RT002", SEV_CRITICAL, "runtime",
      "Container runtime socket mounted (Docker, containerd, Podman, CRI-O)",
      "Do not mount the engine socket or a directory holding it (/var/run, /run); use a "
      "read-only API proxy that allows only the calls needed.",
      CIS("5.32") K8S("CKV_K8S_27,KSV006,kubesec-DockerSock,PSS-baseline")},
     rt_check_socket},
    {{"RT003", SEV_CRITICAL, "runtime", "Container runs as root",
      "Run as an unprivileged user: `--user 1000:1000` / `user: \"1000:1000\"` (Kubernetes: "
      "`runAsUser: 10001`, `runAsNonRoot: true`), or USER in the image.",
      CIS("4.1") K8S("KSV105,CKV_K8S_40,PSS-restricted")},
     rt_check_root},
    {{"RT004", SEV_CRITICAL, "secret", "Secret in the container environment",
      "Pass secrets as files (Docker/Compose secrets, a mounted file and the *_FILE "
      "convention), not environment variables; rotate the exposed value.",
      NULL},
     rt_check_env_secrets},
    {{"RT005", SEV_HIGH, "runtime", "Sensitive host path mounted",
      "Do not bind-mount host system directories; mount only the data directories needed, "
      "read-only where possible.",
      CIS("5.6") K8S("KSV121,PSS-baseline")},
     rt_check_sensitive_mounts},
    {{"RT006", SEV_HIGH, "runtime", "Dangerous capability added",
      "Remove the capability from --cap-add / `cap_add:`; drop ALL and add back only what the "
      "process needs.",
      CIS("5.4") ",docker-bench-C.5.3.1,docker-bench-C.5.3.2,docker-bench-C.5.3.3,"
                 "docker-bench-C.5.3.4"
          K8S("CKV_K8S_25,CKV_K8S_39,KSV005,KSV022,kubesec-CapSysAdmin,PSS-baseline")},
     rt_check_caps_added},
    {{"RT007", SEV_HIGH, "runtime", "Host network namespace shared",
      "Use a user-defined network instead of --network host / `network_mode: host`.",
      CIS("5.10") K8S("CKV_K8S_19,KSV009,kubesec-HostNetwork,PSS-baseline")},
     rt_check_host_net},
    {{"RT008", SEV_HIGH, "runtime", "Host PID namespace shared",
      "Remove --pid host / `pid: host` (Kubernetes: `hostPID`).",
      CIS("5.16") K8S("CKV_K8S_17,KSV010,kubesec-HostPID,PSS-baseline")},
     rt_check_host_pid},
    {{"RT009", SEV_HIGH, "runtime", "Host IPC namespace shared",
      "Remove --ipc host / `ipc: host` (Kubernetes: `hostIPC`).",
      CIS("5.17") K8S("CKV_K8S_18,KSV008,kubesec-HostIPC,PSS-baseline")},
     rt_check_host_ipc},
    {{"RT010", SEV_HIGH, "runtime", "Host UTS namespace shared",
      "Remove --uts host / `uts: host`.", CIS("5.21")},
     rt_check_host_uts},
    {{"RT011", SEV_HIGH, "runtime", "User namespace disabled",
      "Remove --userns host / `userns_mode: host`; enable user namespace remapping.",
      CIS("5.31")},
     rt_check_host_userns},
    {{"RT012", SEV_HIGH, "runtime", "Seccomp profile disabled",
      "Remove seccomp=unconfined; keep the default profile or use a stricter custom one.",
      CIS("5.22") K8S("KSV104,PSS-baseline")},
     rt_check_seccomp},
    {{"RT013", SEV_HIGH, "runtime", "AppArmor or SELinux confinement disabled",
      "Remove apparmor=unconfined / label=disable; keep the default profile or a custom one.",
      CIS("5.2") "," CIS("5.3") K8S("PSS-baseline")},
     rt_check_mac},
    {{"RT014", SEV_HIGH, "runtime", "Sensitive port published on all interfaces",
      "Bind the port to 127.0.0.1 or an internal interface (`127.0.0.1:5432:5432`), or do not "
      "publish it and reach the service over a private network.",
      CIS("5.14") "," CIS("5.9") K8S("CKV_K8S_26,KSV024,PSS-baseline")},
     rt_check_sensitive_ports},
    {{"RT015", SEV_HIGH, "runtime", "Host device passed through",
      "Remove --device / `devices:` and device cgroup rules unless the device is required; "
      "grant the fewest permissions (r rather than rwm).",
      CIS("5.18")},
     rt_check_devices},
    {{"RT016", SEV_HIGH, "runtime", "/proc and /sys masks disabled",
      "Remove systempaths=unconfined so the kernel interfaces under /proc and /sys stay masked.",
      "KSV027,PSS-baseline"},
     rt_check_systempaths},
    {{"RT017", SEV_MEDIUM, "runtime", "Capabilities not dropped",
      "Add --cap-drop ALL / `cap_drop: [ALL]` (Kubernetes: `capabilities: {drop: [ALL]}`) and "
      "add back only the capabilities needed.",
      CIS("5.4") K8S("CKV_K8S_37,KSV003,kubesec-CapDropAll,PSS-restricted")},
     rt_check_caps_not_dropped},
    {{"RT018", SEV_MEDIUM, "runtime", "Root filesystem is writable",
      "Run with --read-only / `read_only: true` (Kubernetes: `readOnlyRootFilesystem: true`); "
      "give writable paths a tmpfs, an emptyDir or a volume.",
      CIS("5.13") K8S("CKV_K8S_22,KSV014,kubesec-ReadOnlyRootFilesystem")},
     rt_check_rootfs},
    {{"RT019", SEV_MEDIUM, "runtime", "No memory limit",
      "Set --memory / `mem_limit:` or `deploy.resources.limits.memory` (Kubernetes: "
      "`resources.limits.memory`).", CIS("5.11") K8S("CKV_K8S_13,KSV018,kubesec-LimitsMemory")},
     rt_check_memory},
    {{"RT020", SEV_MEDIUM, "runtime", "No CPU limit",
      "Set --cpus / `cpus:` or `deploy.resources.limits.cpus` (Kubernetes: "
      "`resources.limits.cpu`).", CIS("5.12") K8S("CKV_K8S_11,KSV011,kubesec-LimitsCPU")},
     rt_check_cpu},
    {{"RT021", SEV_MEDIUM, "runtime", "No PIDs limit",
      "Set --pids-limit / `pids_limit:` or `deploy.resources.limits.pids`.", CIS("5.29")},
     rt_check_pids},
    {{"RT022", SEV_MEDIUM, "runtime", "no-new-privileges not set",
      "Add --security-opt no-new-privileges / `security_opt: [\"no-new-privileges:true\"]` "
      "(Kubernetes: `allowPrivilegeEscalation: false`).",
      CIS("5.26") K8S("CKV_K8S_20,KSV001,kubesec-AllowPrivilegeEscalation,PSS-restricted")},
     rt_check_nnp},
    {{"RT023", SEV_MEDIUM, "runtime", "No health check",
      "Add a health check (--health-cmd / `healthcheck:`, or HEALTHCHECK in the image; "
      "Kubernetes: a `livenessProbe`).",
      CIS("5.27") "," CIS("4.6") K8S("CKV_K8S_8")},
     rt_check_healthcheck},
    {{"RT024", SEV_MEDIUM, "runtime", "Logging disabled (driver none)",
      "Use a logging driver that keeps logs (json-file, journald, syslog, fluentd, ...).",
      "CIS-Docker-1.6.0-2.13"},
     rt_check_logging},
    {{"RT025", SEV_MEDIUM, "secret", "Secret passed as an environment variable",
      "Declare it under top-level `secrets:`, give it to the service with `secrets:` and read "
      "it from /run/secrets (e.g. the *_FILE convention) instead of the environment.",
      NULL},
     rt_check_env_secret_names},
    {{"RT026", SEV_MEDIUM, "runtime", "Mount propagation shared",
      "Use the default private propagation; remove shared/rshared from the mount.",
      CIS("5.20")},
     rt_check_propagation},
    {{"RT027", SEV_MEDIUM, "runtime", "Host cgroup namespace shared",
      "Use --cgroupns private / `cgroup: private`.", NULL},
     rt_check_host_cgroupns},
    {{"RT028", SEV_LOW, "runtime", "Restart policy without a retry limit",
      "Use `on-failure:5` (--restart on-failure:5) so a crashing container does not restart "
      "for ever.",
      CIS("5.15")},
     rt_check_restart},
    {{"RT029", SEV_LOW, "runtime", "Default bridge network used",
      "Attach the container to a user-defined network so it is isolated from unrelated "
      "containers.",
      CIS("5.30")},
     rt_check_default_bridge},
    {{"RT030", SEV_LOW, "runtime", "Privileged host port mapped",
      "Publish on a host port above 1024 (the container port can stay).",
      CIS("5.8") K8S("KSV117,CKV_K8S_26,PSS-baseline")},
     rt_check_privileged_ports},
    {{"RT031", SEV_LOW, "runtime", "Port published on all interfaces",
      "Bind published ports to a specific host interface (`127.0.0.1:8080:80`).",
      CIS("5.14") K8S("CKV_K8S_26,KSV024,PSS-baseline")},
     rt_check_ports_all_interfaces},
    {{"RT032", SEV_INFO, "runtime", "Custom cgroup parent",
      "Leave --cgroup-parent unset unless the cgroup is meant to be shared and is limited.",
      CIS("5.25")},
     rt_check_cgroup_parent},
    /* Appended for Kubernetes pod templates (scanner/k8s/): settings Docker has no name for. */
    {{"RT033", SEV_HIGH, "runtime", "runAsNonRoot not set",
      "Set `securityContext.runAsNonRoot: true` (pod or container) and a non-zero `runAsUser`, "
      "so the kubelet refuses to start the container as root.",
      "CKV_K8S_23,KSV012,kubesec-RunAsNonRoot,PSS-restricted"},
     rt_check_run_as_non_root},
    {{"RT034", SEV_MEDIUM, "supply-chain", "Image tag is latest or missing",
      "Name a fixed version tag, better a digest (`image: nginx:1.27@sha256:...`).",
      "CKV_K8S_14,KSV013"},
     rt_check_image_latest},
    {{"RT035", SEV_LOW, "supply-chain", "Image not pinned by digest",
      "Pin the image by digest (`image: registry/app:1.2@sha256:...`) so every node runs the "
      "same bytes.",
      "CKV_K8S_43"},
     rt_check_image_digest},
    {{"RT036", SEV_MEDIUM, "runtime", "No seccomp profile",
      "Set `securityContext.seccompProfile.type: RuntimeDefault` (or Localhost with a profile) "
      "on the pod or the container.",
      "CKV_K8S_31,KSV030,kubesec-SeccompAny,PSS-restricted"},
     rt_check_seccomp_profile},
    {{"RT037", SEV_LOW, "runtime", "No AppArmor profile",
      "Set `securityContext.appArmorProfile.type: RuntimeDefault` (Kubernetes 1.30+) or the "
      "`container.apparmor.security.beta.kubernetes.io/NAME: runtime/default` annotation.",
      "KSV002,kubesec-ApparmorAny"},
     rt_check_apparmor_profile},
    {{"RT038", SEV_MEDIUM, "runtime", "Service account token mounted",
      "Set `automountServiceAccountToken: false` on the pod (or its service account) unless "
      "the container calls the Kubernetes API.",
      "CKV_K8S_38,KSV036,kubesec-AutomountServiceAccountToken"},
     rt_check_sa_token},
    {{"RT039", SEV_LOW, "runtime", "hostPath volume mounted",
      "Use an emptyDir, a ConfigMap / Secret volume or a PersistentVolumeClaim instead of a "
      "hostPath; the Pod Security Standards' baseline forbids hostPath volumes.",
      "KSV023,PSS-baseline"},
     rt_check_host_path},
};
const size_t runtime_rule_count = sizeof(runtime_rules) / sizeof(runtime_rules[0]);

int
rt_report(struct rt_ctx *c, const struct rule_meta *rule, const struct rt_at *at, int sev,
          const char *redacted, const char *fingerprint, const char *fmt, ...)
{
    const struct runtime_desc *d = c->d;
    struct location loc;
    struct finding_extra extra;
    char msg[1024];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n < 0)
        return err_set(ERR_INTERNAL, "runtime: message formatting failed");

    memset(&loc, 0, sizeof(loc));
    loc.layer_index = -1;
    if (d->kind != RT_CONTAINER) {
        loc.path = at != NULL && at->path != NULL ? at->path : d->target;
        loc.line = at != NULL ? at->line : 0;
        loc.column = at != NULL ? at->column : 0;
    } else {
        loc.container = d->name;
    }
    memset(&extra, 0, sizeof(extra));
    extra.target = d->target;
    extra.secret_redacted = redacted;
    extra.secret_fingerprint = fingerprint;
    if (sev >= 0) {
        extra.override_severity = 1;
        extra.severity = (enum severity)sev;
    }
    /* Compose: name the service; Kubernetes: the object and container (d->name says both);
     * all: name the field the setting was read from. */
    return findings_add(c->f, rule, &loc, &extra, "%s%s%s%s%s%s%s",
                        d->kind == RT_COMPOSE ? "service " : "",
                        d->kind != RT_CONTAINER ? d->name : "", d->kind != RT_CONTAINER ? ": " : "",
                        msg, at != NULL && at->field != NULL ? " (" : "",
                        at != NULL && at->field != NULL ? at->field : "",
                        at != NULL && at->field != NULL ? ")" : "");
}

int
runtime_check(const struct runtime_desc *d, struct detect_engine *detect, int show_secrets,
              struct findings *f)
{
    struct rt_ctx c = {d, f, detect, show_secrets};
    int rc;

    for (size_t i = 0; i < runtime_rule_count; i++) {
        rc = runtime_rules[i].check(&c, &runtime_rules[i].meta);
        if (rc < 0)
            return rc;
    }
    return 0;
}
