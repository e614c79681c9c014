/* The router's registry: configuration, creation, services (name, URL, capabilities, priority,
 * breaker) and capability names. Calls nothing else of the router. */
#ifndef LIFELINE_ROUTER_REGISTRY_H
#define LIFELINE_ROUTER_REGISTRY_H

#include "router_state.h"

/* Validates and appends a service; returns its index, or LIFELINE_ERR_INVALID_ARGUMENT (bad or
 * duplicate name, URL, capabilities) or LIFELINE_ERR_FULL. Its first probe is the caller's. */
int rt_registry_add(lifeline_router *r, const lifeline_router_service_config *c, uint64_t now_ms);

#endif
