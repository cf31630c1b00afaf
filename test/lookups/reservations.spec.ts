import * as assert from "assert";
import { lookupReservations, reservationFacts } from "../../lib/lookups/reservations";
import { capacityConfig, denied, fakeAws } from "../support/fakeAws";
import { BLOCK_ID, ODCR_ID, reservedStack } from "../support/scenarios";

describe("lookups: capacity reservations", () => {
    it("offline, takes each reservation's facts from capacityReservations", async () => {
        const { reservations, problems } = await lookupReservations(capacityConfig(reservedStack()), undefined);
        assert.deepStrictEqual(problems, []);
        assert.strictEqual(reservations.get(BLOCK_ID)?.kind, "capacity-block");
        assert.strictEqual(reservations.get(BLOCK_ID)?.id, BLOCK_ID);
    });

    it("with a client, reads each reservation once and tells a Capacity Block by EC2's ReservationType", async () => {
        const start = new Date("2026-12-01T00:00:00Z");
        const aws = fakeAws({
            capacityReservation: (id) =>
                Promise.resolve({
                    instanceType: "p5.48xlarge",
                    availabilityZone: "us-east-2a",
                    instanceCount: 2,
                    endDate: "2026-12-15T00:00:00Z",
                    described: { ReservationType: id === BLOCK_ID ? "capacity-block" : "default", StartDate: start },
                }),
        });
        const config = capacityConfig(reservedStack());
        const { reservations } = await lookupReservations(config, aws);
        const named = new Set(config.pools.flatMap((p) => p.capacityReservations));
        assert.strictEqual(aws.calls.length, named.size);
        assert.deepStrictEqual(reservations.get(BLOCK_ID), {
            id: BLOCK_ID,
            kind: "capacity-block",
            instanceType: "p5.48xlarge",
            availabilityZone: "us-east-2a",
            instanceCount: 2,
            startDate: "2026-12-01T00:00:00.000Z",
            endDate: "2026-12-15T00:00:00Z",
        });
        if (named.has(ODCR_ID)) assert.strictEqual(reservations.get(ODCR_ID)?.kind, "on-demand");
    });

    it("turns an unreadable reservation into a problem at the first pool that names it", async () => {
        const aws = fakeAws({ capacityReservation: () => Promise.reject(denied("ec2:DescribeCapacityReservations")) });
        const config = capacityConfig(reservedStack());
        const { reservations, problems } = await lookupReservations(config, aws);
        assert.strictEqual(reservations.size, 0);
        const index = config.pools.findIndex((p) => p.capacityReservations.length > 0);
        assert.strictEqual(problems[0].path, `cluster-capacity:pools[${index}].capacityReservations[0]`);
        assert.match(problems[0].expected, /readable in us-east-2 \(ec2:DescribeCapacityReservations was denied/);
    });

    it("refuses an answer without the reservation's type, zone, count or EC2 description", () => {
        assert.throws(
            () =>
                reservationFacts(BLOCK_ID, "us-east-2", { instanceType: "p5.48xlarge", availabilityZone: "us-east-2a", instanceCount: 1 }),
            {
                message: `AWS returned no capacity reservation ${BLOCK_ID} in us-east-2`,
            },
        );
    });
});
