/**
 * Capacity reservations: On-Demand Capacity Reservations (ODCRs) and EC2 Capacity Blocks for ML.
 * Each reservation a pool names becomes a MachineSet of its own in the reservation's zone, launched
 * into it through the Machine API's `capacityReservationId` (and `marketType: CapacityBlock` for a
 * block): openshift/machine-api-provider-aws `pkg/actuators/machine/instances.go`,
 * `getCapacityReservationSpecification` (release-4.18) and `getInstanceMarketOptionsRequest`
 * (release-4.19), which also refuses a block without its reservation id and a reservation with spot.
 */
import type { ClusterConfig, PoolConfig, ReservationFacts } from "../config/types";
import { ConfigProblem, PathSegment, problem } from "../errors";
import { machineSetNameProblem, reservedMachineSetName } from "../naming";

/** The OpenShift minor from which the Machine API launches into a Capacity Block (`marketType: CapacityBlock`). */
const CAPACITY_BLOCK_MIN_MINOR = 19;

const DAY_MS = 24 * 60 * 60 * 1000;

export interface ReservedMachineSetPlan {
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

/** What planning one pool's reservations takes. */
export interface ReservationPlanInput {
    pool: PoolConfig;
    /** The pool's index in `pools`, for the key paths of problems and warnings. */
    index: number;
    /** The pool's most machines per zone (maxMachinesPerZone), before any reservation caps it. */
    perZoneMax: number;
    cluster: Pick<ClusterConfig, "infraId" | "openshiftVersion">;
    /** What AWS (or offline config) says of each reservation; one it does not know is skipped (the lookups refused it). */
    reservations: ReadonlyMap<string, ReservationFacts>;
    /** The moment the reservations' windows are judged at. */
    now: Date;
    /** A reservation ending within this many days is a warning; ended longer ago, a problem. */
    warningDays: number;
}

/** One pool's reservations as MachineSets, with what is wrong with them and what the run should say. */
export interface ReservationPlan {
    machineSets: ReservedMachineSetPlan[];
    problems: ConfigProblem[];
    warnings: string[];
}

/** Where `now` falls in a reservation's window. */
export interface ReservationWindow {
    ended: boolean;
    /** Ended longer ago than the warning window: stale config rather than a reservation just over. */
    endedLongAgo: boolean;
    /** Not ended, but ends within the warning window. */
    endsSoon: boolean;
    notStarted: boolean;
}

export function reservationWindow(facts: ReservationFacts, now: Date, warningDays: number): ReservationWindow {
    const end = facts.endDate ? new Date(facts.endDate).getTime() : undefined;
    const ended = end !== undefined && end <= now.getTime();
    return {
        ended,
        endedLongAgo: end !== undefined && ended && now.getTime() - end > warningDays * DAY_MS,
        endsSoon: end !== undefined && !ended && end - now.getTime() < warningDays * DAY_MS,
        notStarted: facts.startDate !== undefined && new Date(facts.startDate).getTime() > now.getTime(),
    };
}

/** One reservation a pool names, with what AWS says of it. */
export interface NamedReservation {
    id: string;
    /** Its index in the pool's capacityReservations. */
    r: number;
    facts: ReservationFacts;
    window: ReservationWindow;
    /** Its MachineSet's name. */
    name: string;
}

/**
 * Whether the Machine API can launch into a reservation for this pool: of the pool's instance type,
 * in one of its zones (when it has zones), a Capacity Block only from OpenShift 4.19, not long ended,
 * and a MachineSet name that fits.
 */
export function reservationProblems(input: ReservationPlanInput, reservation: NamedReservation): ConfigProblem[] {
    const { pool, index, cluster } = input;
    const { id, facts } = reservation;
    const at: PathSegment[] = ["pools", index, "capacityReservations", reservation.r];
    const problems: ConfigProblem[] = [];
    if (facts.instanceType !== pool.instanceType) {
        problems.push(problem(at, id, `a reservation of ${pool.instanceType}, the pool's type (${id} reserves ${facts.instanceType})`));
    }
    if (pool.zones.length > 0 && !pool.zones.includes(facts.availabilityZone)) {
        problems.push(
            problem(at, id, `a reservation in one of the pool's zones, ${pool.zones.join(", ")} (${id} is in ${facts.availabilityZone})`),
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
    // Just ended: the next `up` scales its MachineSet to 0 and holds its quota, rather than leave
    // Machines that can no longer launch. Ended longer ago than the warning window: stale config.
    if (reservation.window.endedLongAgo && !pool.retired) {
        problems.push(
            problem(
                at,
                id,
                `a reservation that has not ended (${id} ended ${facts.endDate}; no machine can launch into it: remove it, retiring the pool first if it is the pool's only capacity)`,
            ),
        );
    }
    const tooLong = machineSetNameProblem(index, pool.name, reservation.name, "reserved MachineSet");
    if (tooLong) problems.push(tooLong);
    return problems;
}

/** What the run says of a reservation it plans: ended, ending soon, not started, smaller than the pool. */
export function reservationWarnings(input: ReservationPlanInput, reservation: NamedReservation): string[] {
    const { index, perZoneMax, pool, warningDays } = input;
    const { id, facts, window } = reservation;
    const warnings: string[] = [];
    const at = `cluster-capacity: pools[${index}].capacityReservations[${reservation.r}] ${id}`;
    if (window.ended) {
        warnings.push(
            `${at} ended ${facts.endDate}; its MachineSet is scaled to 0, marked retired and its Kueue quota held. Once it has no machines, remove it from the pool within ${warningDays} day(s) of its end, or the run stops.`,
        );
    } else if (window.endsSoon) {
        warnings.push(`${at} ends ${facts.endDate}; its machines stop then (EC2 terminates Capacity Block instances at the end).`);
    }
    if (window.notStarted) {
        warnings.push(`${at} starts ${facts.startDate}; its MachineSet stays at 0 machines until then.`);
    }
    if (perZoneMax > facts.instanceCount && !pool.retired) {
        warnings.push(
            `cluster-capacity: pools[${index}] asks for up to ${perZoneMax} machines per zone, but reservation ${id} holds ${facts.instanceCount}: its MachineSet is capped at ${facts.instanceCount}.`,
        );
    }
    return warnings;
}

/** A reservation's MachineSet: at 0 while the pool is retired or the reservation inactive, else within it. */
export function reservedMachineSet(input: ReservationPlanInput, reservation: NamedReservation): ReservedMachineSetPlan {
    const { pool, perZoneMax } = input;
    const { facts, window } = reservation;
    const maxReplicas = pool.retired || window.ended || window.notStarted ? 0 : Math.min(perZoneMax, facts.instanceCount);
    return {
        name: reservation.name,
        zone: facts.availabilityZone,
        reservation: facts,
        replicas: Math.min(pool.replicas, maxReplicas),
        maxReplicas,
        ended: window.ended,
    };
}

/**
 * The reservations of one pool as MachineSets: a reservation with a problem gets none, and says
 * nothing else.
 */
export function planReservations(input: ReservationPlanInput): ReservationPlan {
    const plan: ReservationPlan = { machineSets: [], problems: [], warnings: [] };
    input.pool.capacityReservations.forEach((id, r) => {
        const facts = input.reservations.get(id);
        if (!facts) return;
        const reservation: NamedReservation = {
            id,
            r,
            facts,
            window: reservationWindow(facts, input.now, input.warningDays),
            name: reservedMachineSetName(input.cluster.infraId, input.pool.name, facts.availabilityZone, id),
        };
        const problems = reservationProblems(input, reservation);
        if (problems.length > 0) {
            plan.problems.push(...problems);
            return;
        }
        plan.warnings.push(...reservationWarnings(input, reservation));
        plan.machineSets.push(reservedMachineSet(input, reservation));
    });
    return plan;
}
