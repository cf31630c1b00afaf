/**
 * The capacity reservations the pools name, as AWS describes them (lib/reservations.ts plans their
 * MachineSets).
 */
import * as aws from "@pulumi/aws";
import { DescribeCapacityReservationsCommand, EC2Client } from "@aws-sdk/client-ec2";
import type { PoolConfig, ReservationFacts } from "../config/types";
import { ConfigProblem, describeAwsFailure, problem } from "../errors";
import { readValue } from "../clusterReads";

/**
 * What AWS says of a reservation: type, zone, count and end through Pulumi
 * (`aws.ec2.CapacityReservation.get`), and its kind and start, which that resource does not expose,
 * from EC2 DescribeCapacityReservations (`ReservationType` `capacity-block` or `default`).
 */
async function readReservation(id: string, region: string): Promise<ReservationFacts> {
    const read = aws.ec2.CapacityReservation.get(`capacity-reservation-${id}`, id, { region });
    const [instanceType, availabilityZone, instanceCount, endDate] = await Promise.all([
        readValue(read.instanceType),
        readValue(read.availabilityZone),
        readValue(read.instanceCount),
        readValue(read.endDate),
    ]);
    const answer = await new EC2Client({ region }).send(new DescribeCapacityReservationsCommand({ CapacityReservationIds: [id] }));
    const described = answer.CapacityReservations?.[0];
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

/** Reads each reservation of the pools once; a failure is a problem at the first pool that names it. */
export async function readReservations(
    pools: readonly PoolConfig[],
    region: string,
    problems: ConfigProblem[],
): Promise<Map<string, ReservationFacts>> {
    const firstUse = new Map<string, [number, number]>();
    pools.forEach((pool, index) => pool.capacityReservations.forEach((id, r) => firstUse.has(id) || firstUse.set(id, [index, r])));
    const read = await Promise.all(
        [...firstUse].map(async ([id, [index, r]]) => {
            try {
                return await readReservation(id, region);
            } catch (error) {
                problems.push(
                    problem(
                        ["pools", index, "capacityReservations", r],
                        id,
                        `a capacity reservation readable in ${region} (${describeAwsFailure("ec2:DescribeCapacityReservations", error)})`,
                    ),
                );
                return undefined;
            }
        }),
    );
    return new Map(read.filter((facts): facts is ReservationFacts => facts !== undefined).map((facts) => [facts.id, facts]));
}
