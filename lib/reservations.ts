/**
 * Capacity reservations: On-Demand Capacity Reservations (ODCRs) and EC2 Capacity Blocks for ML.
 * Each reservation a pool names becomes a MachineSet of its own in the reservation's zone, launched
 * into it through the Machine API's `capacityReservationId` (and `marketType: CapacityBlock` for a
 * block): openshift/machine-api-provider-aws `pkg/actuators/machine/instances.go`,
 * `getCapacityReservationSpecification` (release-4.18) and `getInstanceMarketOptionsRequest`
 * (release-4.19), which also refuses a block without its reservation id and a reservation with spot.
 */
import type { ClusterConfig, PoolConfig, ReservationFacts } from "./config/types";
import { ConfigProblem, problem } from "./errors";
import { machineSetNameProblem, reservedMachineSetName } from "./naming";

/** The OpenShift minor from which the Machine API launches into a Capacity Block (`marketType: CapacityBlock`). */
const CAPACITY_BLOCK_MIN_MINOR = 19;

const DAY_MS = 24 * 60 * 60 * 1000;

interface ReservedMachineSetPlan {
    name: string;
    zone: string;
    reservation: ReservationFacts;
    /** Machines at creation (the autoscaler's minimum, else replicas), within the reservation. */
    replicas: number;
    /** The most machines: the pool's per-zone maximum, capped by the reservation's instance count. */
    maxReplicas: number;
    /** The reservation has ended: its MachineSet takes spec.replicas back from the autoscaler, to 0. */
    ended: boolean;
}

/**
 * The reservations of one pool as MachineSets: each must be of the pool's instance type, in one of
 * its zones (when it has zones), not ended, and a Capacity Block only from OpenShift 4.19.
 */
export function planReservations(
    pool: PoolConfig,
    index: number,
    /** The pool's most machines per zone (maxMachinesPerZone), before any reservation caps it. */
    perZoneMax: number,
    cluster: ClusterConfig,
    reservations: ReadonlyMap<string, ReservationFacts>,
    now: Date,
    warningDays: number,
    problems: ConfigProblem[],
    warnings: string[],
): ReservedMachineSetPlan[] {
    const plans: ReservedMachineSetPlan[] = [];
    pool.capacityReservations.forEach((id, r) => {
        const at = ["pools", index, "capacityReservations", r];
        const facts = reservations.get(id);
        if (!facts) return;
        const before = problems.length;
        if (facts.instanceType !== pool.instanceType) {
            problems.push(problem(at, id, `a reservation of ${pool.instanceType}, the pool's type (${id} reserves ${facts.instanceType})`));
        }
        if (pool.zones.length > 0 && !pool.zones.includes(facts.availabilityZone)) {
            problems.push(
                problem(
                    at,
                    id,
                    `a reservation in one of the pool's zones, ${pool.zones.join(", ")} (${id} is in ${facts.availabilityZone})`,
                ),
            );
        }
        if (facts.kind === "capacity-block" && cluster.openshiftVersion.minor < CAPACITY_BLOCK_MIN_MINOR) {
            problems.push(
                problem(
                    at,
                    id,
                    `no Capacity Block on OpenShift 4.${cluster.openshiftVersion.minor}: the Machine API launches into one (marketType: CapacityBlock) from 4.${CAPACITY_BLOCK_MIN_MINOR}`,
                ),
            );
        }
        const end = facts.endDate ? new Date(facts.endDate) : undefined;
        const ended = end !== undefined && end.getTime() <= now.getTime();
        // Just ended: the next `up` scales its MachineSet to 0 and holds its quota, rather than leave
        // Machines that can no longer launch. Ended longer ago than the warning window: stale config.
        const endedLongAgo = ended && now.getTime() - end.getTime() > warningDays * DAY_MS;
        if (endedLongAgo && !pool.retired) {
            problems.push(
                problem(
                    at,
                    id,
                    `a reservation that has not ended (${id} ended ${facts.endDate}; no machine can launch into it: remove it, retiring the pool first if it is the pool's only capacity)`,
                ),
            );
        }
        const name = reservedMachineSetName(cluster.infraId, pool.name, facts.availabilityZone, id);
        const tooLong = machineSetNameProblem(index, pool.name, name, "reserved MachineSet");
        if (tooLong) problems.push(tooLong);
        if (problems.length > before) return;
        if (ended) {
            warnings.push(
                `cluster-capacity: pools[${index}].capacityReservations[${r}] ${id} ended ${facts.endDate}; its MachineSet is scaled to 0 and its Kueue quota held. Remove it from the pool within ${warningDays} day(s) of its end, or the run stops.`,
            );
        } else if (end && end.getTime() - now.getTime() < warningDays * DAY_MS) {
            warnings.push(
                `cluster-capacity: pools[${index}].capacityReservations[${r}] ${id} ends ${facts.endDate}; its machines stop then (EC2 terminates Capacity Block instances at the end).`,
            );
        }
        const notStarted = facts.startDate !== undefined && new Date(facts.startDate).getTime() > now.getTime();
        if (notStarted) {
            warnings.push(
                `cluster-capacity: pools[${index}].capacityReservations[${r}] ${id} starts ${facts.startDate}; its MachineSet stays at 0 machines until then.`,
            );
        }
        const maxReplicas = pool.retired || ended || notStarted ? 0 : Math.min(perZoneMax, facts.instanceCount);
        if (perZoneMax > facts.instanceCount && !pool.retired) {
            warnings.push(
                `cluster-capacity: pools[${index}] asks for up to ${perZoneMax} machines per zone, but reservation ${id} holds ${facts.instanceCount}: its MachineSet is capped at ${facts.instanceCount}.`,
            );
        }
        plans.push({
            name,
            zone: facts.availabilityZone,
            reservation: facts,
            replicas: Math.min(pool.replicas, maxReplicas),
            maxReplicas,
            ended,
        });
    });
    return plans;
}
