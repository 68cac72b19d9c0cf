/* runtime_rules_net: what a container exposes on the network: published ports (sensitive,
 * privileged, on all interfaces) and the default bridge. */
#include <string.h>

#include "runtime.h"

/* Services that must never face every interface: remote shells, engine and cluster APIs,
 * databases, caches and search engines that often run without authentication. */
static const long sensitive_ports[] = {
    21,    22,    23,    135,   139,   445,   1433,  1521,  2375,  2376,  2379,  2380,
    3306,  3389,  4243,  5432,  5601,  5900,  5984,  6379,  6443,  7001,  8086,  8500,
    9042,  9200,  9300,  10250, 11211, 15672, 27017, 27018, 50070,
};

int
rt_port_is_sensitive(long port)
{
    for (size_t i = 0; i < sizeof(sensitive_ports) / sizeof(sensitive_ports[0]); i++)
        if (sensitive_ports[i] == port)
            return 1;
    return 0;
}

static int
all_interfaces(const struct rt_port *p)
{
    const char *ip = p->host_ip;

    return ip == NULL || ip[0] == '\0' || strcmp(ip, "0.0.0.0") == 0 || strcmp(ip, "::") == 0 ||
           strcmp(ip, "[::]") == 0;
}

/* The sensitive port a binding exposes (container side first), or 0. */
static long
sensitive_of(const struct rt_port *p)
{
    if (rt_port_is_sensitive(p->container_port))
        return p->container_port;
    for (size_t i = 0; i < sizeof(sensitive_ports) / sizeof(sensitive_ports[0]); i++)
        if (p->host_port > 0 && sensitive_ports[i] >= p->host_port &&
            sensitive_ports[i] <= p->host_port_end)
            return sensitive_ports[i];
    return 0;
}

int
rt_check_sensitive_ports(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->ports;
    int rc = 0;

    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_port *p = RT_AT(*l, struct rt_port, i);
        long s = all_interfaces(p) ? sensitive_of(p) : 0;
        if (s != 0)
            rc = rt_report(c, r, &p->at, -1, NULL, NULL,
                           "port %ld/%s (sensitive: %ld) published on all interfaces as host "
                           "port %ld",
                           p->container_port, p->proto ? p->proto : "tcp", s, p->host_port);
    }
    return rc;
}

int
rt_check_ports_all_interfaces(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->ports;
    int rc = 0;

    if (c->d->publish_all.on)
        rc = rt_report(c, r, &c->d->publish_all.at, -1, NULL, NULL,
                       "every exposed port published on all interfaces");
    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_port *p = RT_AT(*l, struct rt_port, i);
        /* Sensitive ones are already reported, higher, by RT014. */
        if (all_interfaces(p) && sensitive_of(p) == 0)
            rc = rt_report(c, r, &p->at, -1, NULL, NULL,
                           "port %ld/%s published on all interfaces", p->container_port,
                           p->proto ? p->proto : "tcp");
    }
    return rc;
}

int
rt_check_privileged_ports(struct rt_ctx *c, const struct rule_meta *r)
{
    const struct rt_list *l = &c->d->ports;
    int rc = 0;

    for (size_t i = 0; i < l->n && rc == 0; i++) {
        const struct rt_port *p = RT_AT(*l, struct rt_port, i);
        if (p->host_port > 0 && p->host_port < 1024)
            rc = rt_report(c, r, &p->at, -1, NULL, NULL, "host port %ld is a privileged port",
                           p->host_port);
    }
    return rc;
}

int
rt_check_default_bridge(struct rt_ctx *c, const struct rule_meta *r)
{
    if (c->d->default_bridge.on)
        return rt_report(c, r, &c->d->default_bridge.at, -1, NULL, NULL,
                         "attached to the default bridge network (%s)",
                         c->d->default_bridge.text ? c->d->default_bridge.text : "bridge");
    return 0;
}
