/** What a pool's config alone implies, for every stage after the config (lookups, plan, components). Pure. */
import type { MigLayout, PoolConfig } from "./types";

/** Whether a pool's nodes say how they were bought (CAPACITY_TYPE_LABEL): pools of more than one capacity type. */
export function labelsCapacityType(pool: PoolConfig): boolean {
    return pool.capacityReservations.length > 0 || pool.onDemandFallback;
}

/** Whether the pool's only MachineSets are its reservations' (no zones of its own). */
export function isReservedOnly(pool: PoolConfig): boolean {
    return pool.capacityReservations.length > 0 && pool.zones.length === 0 && !pool.zonesFromCluster;
}

/** The most machines one zone of a pool can have: the autoscaler's maximum, else its replicas. */
export function maxMachinesPerZone(pool: PoolConfig): number {
    return pool.autoscaling ? pool.autoscaling.maxReplicas : pool.replicas;
}

/** Whether every GPU of a node with this layout holds one kind of MIG device, as `single` requires. */
export function isUniformLayout(layout: Pick<MigLayout, "profile" | "devices">): boolean {
    return layout.devices ? Object.keys(layout.devices).length === 1 : layout.profile !== "all-balanced";
}
