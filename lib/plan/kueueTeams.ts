/**
 * GPU as a service for several teams: each team's nominal quota per flavor and resource, derived
 * from its share of what the pools provide at maximum size, never typed in. Pure.
 *
 * With shares adding up to 1 (or nominal GPUs adding up to a flavor's GPUs), the teams' quotas add
 * up exactly to the flavor's capacity (largest remainders go to the teams with the largest
 * fractions); otherwise what no team holds is reported, since in Kueue a quota no ClusterQueue
 * holds is a quota nobody can use.
 */
import type { KueueTeam } from "../config/types";
import { ConfigError, ConfigProblem, problem } from "../errors";
import { GPU_RESOURCE, isMigResource, NEURON_RESOURCE } from "../../policy/lib/contract";
import { cpuQuantity, QueueQuotas } from "./kueueQuotas";

export interface TeamFlavorQuota {
    flavor: string;
    /** Resource name → quantity, for every covered resource. */
    nominalQuota: Record<string, string>;
    borrowingLimit?: Record<string, string>;
    lendingLimit?: Record<string, string>;
}

export interface TeamQuota {
    team: KueueTeam;
    flavors: TeamFlavorQuota[];
    /** Devices (GPUs, MIG devices, Neuron devices, each counted as one) the team is guaranteed, over all flavors. */
    guaranteedDevices: number;
    /** The same per device resource (nvidia.com/gpu, nvidia.com/mig-1g.10gb, …). */
    guaranteedByResource: Record<string, number>;
    /** Devices it may borrow on top: the others' quota, within its borrowing limit. */
    borrowableDevices: number;
}

export interface TeamsPlan {
    teams: TeamQuota[];
    /** Devices the pools provide at maximum size, over all flavors. */
    poolDevices: number;
    /** The same per device resource. */
    poolByResource: Record<string, number>;
    /** Per flavor, devices no team holds (shares adding up to less than 1). */
    unassigned: Record<string, number>;
}

/** Resources counted as devices: whole GPUs, MIG devices, Neuron devices (NeuronCores are parts of those). */
function isDevice(resource: string): boolean {
    return resource === GPU_RESOURCE || resource === NEURON_RESOURCE || isMigResource(resource);
}

function addDevices(sums: Record<string, number>, quota: Record<string, string>): void {
    for (const [resource, quantity] of Object.entries(quota)) {
        if (isDevice(resource) && Number(quantity) > 0) sums[resource] = (sums[resource] ?? 0) + Number(quantity);
    }
}

/** A quantity in its integer base unit: millicores, MiB, devices. */
function baseUnits(resource: string, quantity: string): number {
    if (resource === "cpu") return quantity.endsWith("m") ? Number(quantity.slice(0, -1)) : Number(quantity) * 1000;
    if (resource === "memory") return Number(quantity.replace(/Mi$/, ""));
    return Number(quantity);
}

function format(resource: string, units: number): string {
    if (resource === "cpu") return cpuQuantity(units);
    if (resource === "memory") return `${units}Mi`;
    return String(units);
}

/** Splits `capacity` by `weights` into integers; when the weights add up to 1 the parts add up to `capacity`. */
export function split(capacity: number, weights: readonly number[]): number[] {
    const exact = weights.map((w) => w * capacity);
    const parts = exact.map((x) => Math.floor(x + 1e-9));
    const total = weights.reduce((sum, w) => sum + w, 0);
    if (Math.abs(total - 1) < 1e-9) {
        let left = capacity - parts.reduce((sum, p) => sum + p, 0);
        const byFraction = exact
            .map((x, i) => ({ i, fraction: x - Math.floor(x + 1e-9) }))
            .sort((a, b) => b.fraction - a.fraction || a.i - b.i);
        for (const { i } of byFraction) {
            if (left <= 0) break;
            parts[i]++;
            left--;
        }
    }
    return parts;
}

type FlavorQuota = QueueQuotas["flavors"][number];

/** A flavor split between the teams: each team's quota of it, and the devices none holds (when it has devices). */
interface FlavorSplit {
    quotas: TeamFlavorQuota[];
    unassigned?: number;
}

export function planTeams(teams: readonly KueueTeam[], quotas: QueueQuotas): TeamsPlan {
    const problems = unknownFlavorProblems(teams, quotas);
    const perTeam = teams.map(() => [] as TeamFlavorQuota[]);
    const unassigned: Record<string, number> = {};
    const poolByResource: Record<string, number> = {};
    for (const flavor of quotas.flavors) {
        addDevices(poolByResource, flavor.nominalQuota);
        const divided = splitFlavor(teams, flavor);
        if ("problem" in divided) {
            problems.push(divided.problem);
            continue;
        }
        if (divided.unassigned !== undefined) unassigned[flavor.flavor] = divided.unassigned;
        divided.quotas.forEach((quota, i) => perTeam[i].push(quota));
    }
    if (problems.length > 0) throw new ConfigError(problems);
    return {
        teams: teamQuotas(teams, perTeam),
        // Every device resource, as guaranteedDevices counts them.
        poolDevices: Object.values(poolByResource).reduce((sum, n) => sum + n, 0),
        poolByResource,
        unassigned,
    };
}

/** A team's nominal quota of a flavor no pool has, one problem each. */
export function unknownFlavorProblems(teams: readonly KueueTeam[], quotas: QueueQuotas): ConfigProblem[] {
    const flavorNames = new Set(quotas.flavors.map((f) => f.flavor));
    return teams.flatMap((team, index) =>
        Object.keys(team.nominal ?? {})
            .filter((flavor) => !flavorNames.has(flavor))
            .map((flavor) =>
                problem(
                    ["kueue", "teams", index, "nominal", flavor],
                    team.nominal?.[flavor],
                    `a flavor of the pools (${[...flavorNames].join(", ")})`,
                ),
            ),
    );
}

/** A flavor's devices are its first device resource: its GPUs, or its smallest MIG device; none for a flavor without. */
export function flavorDevices(nominalQuota: Readonly<Record<string, string>>): { accelerator?: string; devices: number } {
    const accelerator = Object.keys(nominalQuota).find((r) => isDevice(r) && baseUnits(r, nominalQuota[r]) > 0);
    return accelerator ? { accelerator, devices: baseUnits(accelerator, nominalQuota[accelerator]) } : { devices: 0 };
}

/** Each team's fraction of a flavor of `devices` devices: its nominal devices of it over them, or else its share. */
export function teamWeights(teams: readonly KueueTeam[], flavor: string, devices: number): number[] {
    return teams.map((team) => (team.nominal ? (devices > 0 ? (team.nominal[flavor] ?? 0) / devices : 0) : (team.share ?? 0)));
}

/** Splits every resource of a flavor by the teams' weights, or says that the teams ask for more devices than it has. */
function splitFlavor(teams: readonly KueueTeam[], flavor: FlavorQuota): FlavorSplit | { problem: ConfigProblem } {
    const { accelerator, devices } = flavorDevices(flavor.nominalQuota);
    const weights = teamWeights(teams, flavor.flavor, devices);
    const asked = weights.reduce((sum, w) => sum + w, 0);
    if (asked > 1 + 1e-9) {
        const who = teams.map((team, i) => `${team.name} ${Math.round(weights[i] * devices)}`).join(", ");
        return {
            problem: problem(
                ["kueue", "teams"],
                who,
                `teams that together hold at most the ${devices} device(s) of flavor ${flavor.flavor} (they ask for ${Math.round(asked * devices)})`,
            ),
        };
    }
    const parts = Object.fromEntries(
        Object.entries(flavor.nominalQuota).map(([resource, quantity]) => [resource, split(baseUnits(resource, quantity), weights)]),
    );
    return {
        quotas: teams.map((team, i) =>
            teamFlavorQuota(team, flavor.flavor, Object.fromEntries(Object.keys(parts).map((r) => [r, parts[r][i]]))),
        ),
        ...(accelerator && { unassigned: devices - parts[accelerator].reduce((sum, p) => sum + p, 0) }),
    };
}

/**
 * A team's quota of a flavor from its part of each resource (in base units), with its borrowing
 * and lending limits as fractions of that part, rounded down.
 */
export function teamFlavorQuota(team: KueueTeam, flavor: string, nominal: Readonly<Record<string, number>>): TeamFlavorQuota {
    const resources = Object.keys(nominal);
    const limit = (fraction: number | undefined) =>
        fraction === undefined ? undefined : Object.fromEntries(resources.map((r) => [r, format(r, Math.floor(fraction * nominal[r]))]));
    return {
        flavor,
        nominalQuota: Object.fromEntries(resources.map((r) => [r, format(r, nominal[r])])),
        ...(team.borrowingLimit !== undefined && { borrowingLimit: limit(team.borrowingLimit) }),
        ...(team.lendingLimit !== undefined && { lendingLimit: limit(team.lendingLimit) }),
    };
}

/** Devices (GPUs, MIG devices, Neuron devices) in a quota. */
function devicesOf(quota: Readonly<Record<string, string>> | undefined): number {
    return Object.entries(quota ?? {}).reduce((sum, [r, quantity]) => sum + (isDevice(r) ? baseUnits(r, quantity) : 0), 0);
}

/**
 * Each team's quotas with the devices it is guaranteed and those it may borrow on top: what the
 * others lend (all of their quota, or their lending limit's share of it), within its borrowing limit.
 */
function teamQuotas(teams: readonly KueueTeam[], perTeam: readonly TeamFlavorQuota[][]): TeamQuota[] {
    const totals = perTeam.map((flavors) => flavors.reduce((sum, f) => sum + devicesOf(f.nominalQuota), 0));
    const lent = teams.map((team, i) =>
        team.lendingLimit === undefined ? totals[i] : perTeam[i].reduce((sum, f) => sum + devicesOf(f.lendingLimit), 0),
    );
    return teams.map((team, i) => {
        const fromOthers = lent.reduce((sum, l, j) => sum + (j === i ? 0 : l), 0);
        const cap = team.borrowingLimit === undefined ? Infinity : perTeam[i].reduce((sum, f) => sum + devicesOf(f.borrowingLimit), 0);
        const guaranteedByResource: Record<string, number> = {};
        perTeam[i].forEach((f) => addDevices(guaranteedByResource, f.nominalQuota));
        return {
            team,
            flavors: perTeam[i],
            guaranteedDevices: totals[i],
            guaranteedByResource,
            borrowableDevices: Math.min(fromOthers, cap),
        };
    });
}
