/**
 * The capacity reservations the pools name: what AWS says of each (type, zone, count, kind and
 * window), or offline what `capacityReservations` says. lib/plan/reservations.ts plans their MachineSets.
 */
import type { CapacityConfig, ReservationFacts } from "../config/types";
import { ConfigProblem, describeAwsFailure, problem } from "../errors";
import type { AwsClient, CapacityReservationAnswer } from "./awsClient";
import { firstUse } from "./firstUse";

export interface ReservationsAnswer {
    reservations: Map<string, ReservationFacts>;
    problems: ConfigProblem[];
}

/** With a client, each reservation of the pools read once (a failure is a problem at the first pool that names it); else the config's facts. */
export async function lookupReservations(
    config: CapacityConfig,
    client: Pick<AwsClient, "capacityReservation" | "region"> | undefined,
): Promise<ReservationsAnswer> {
    if (!client) {
        return {
            reservations: new Map(Object.entries(config.capacityReservations).map(([id, facts]) => [id, { id, ...facts }])),
            problems: [],
        };
    }
    // Each reservation once, where it is first named: the pool and its place in the pool's list.
    const refs = config.pools.flatMap((pool, index) => pool.capacityReservations.map((id, r) => ({ id, index, r })));
    const read = await Promise.all(
        [...firstUse(refs, (ref) => ref.id).values()].map(async (first) => {
            const { id, index, r } = refs[first];
            try {
                return reservationFacts(id, client.region, await client.capacityReservation(id));
            } catch (error) {
                return problem(
                    ["pools", index, "capacityReservations", r],
                    id,
                    `a capacity reservation readable in ${client.region} (${describeAwsFailure("ec2:DescribeCapacityReservations", error)})`,
                );
            }
        }),
    );
    const answer: ReservationsAnswer = { reservations: new Map(), problems: [] };
    for (const facts of read) {
        if ("id" in facts) answer.reservations.set(facts.id, facts);
        else answer.problems.push(facts);
    }
    return answer;
}

/** A reservation's kind is EC2's `ReservationType` (`capacity-block` or `default`); its end, either read's. */
export function reservationFacts(id: string, region: string, answer: CapacityReservationAnswer): ReservationFacts {
    const { instanceType, availabilityZone, instanceCount, endDate, described } = answer;
    if (!instanceType || !availabilityZone || instanceCount === undefined || !described) {
        throw new Error(`AWS returned no capacity reservation ${id} in ${region}`);
    }
    return {
        id,
        kind: described.ReservationType === "capacity-block" ? "capacity-block" : "on-demand",
        instanceType,
        availabilityZone,
        instanceCount,
        ...(described.StartDate && { startDate: described.StartDate.toISOString() }),
        ...((endDate || described.EndDate) && { endDate: endDate || described.EndDate?.toISOString() }),
    };
}
