/** What the lookups hand to the plan: the answers of AWS, the cluster or offline config, per question. */
import type { InstanceSpec } from "../../policy/lib/catalogue";
import type { ReservationFacts } from "../config/types";
import type { MachineNetwork, NetworkSource } from "./machineNetwork";

/** Where a pool's AMI came from: pinned in config, the cluster's own boot image, or an AWS lookup. */
export type AmiSource = "pinned" | "cluster" | "lookup";

export interface LookupFacts {
    accountId?: string;
    instanceSpecs: ReadonlyMap<string, InstanceSpec>;
    quotaLimits: Readonly<Record<string, number>>;
    /** What Service Quotas answered per code, before any lower cap from config (aws lookups only). */
    awsQuotaValues: Readonly<Record<string, number>>;
    /** vCPUs in use now outside this stack, per code: CloudWatch minus this stack's Machines, or config offline. */
    usedOutside: Readonly<Record<string, number>>;
    /** The zones of each pool that names none (`zonesFromCluster`), by pool name: `planCapacity` gives them to those pools (`withPoolZones`). */
    poolZones: ReadonlyMap<string, string[]>;
    /** AMI id and its source per pool name. */
    amis: ReadonlyMap<string, { id: string; source: AmiSource }>;
    /** Where new machines attach, per availability zone a pool (or one of its reservations) uses. */
    networks: ReadonlyMap<string, { network: MachineNetwork; source: NetworkSource }>;
    /** What AWS (or offline config) says of each capacity reservation the pools name. */
    reservations: ReadonlyMap<string, ReservationFacts>;
    /** The VPC of the cluster's subnets, where EFA pools get their security group; only when a pool has efa. */
    vpcId?: string;
}
