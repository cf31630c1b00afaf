/**
 * Each pool's AMI, by precedence: the pinned id, else the cluster's own boot image for the pool's
 * architecture and region, else the owners + namePattern lookup. A pool none of them serves is a
 * problem naming every source tried.
 */
import { architectureOf, BOOT_IMAGES_CONFIGMAP, bootImageFromStream } from "./bootImages";
import type { AmiQuery, CapacityConfig, PoolConfig } from "../config/types";
import { ConfigProblem, describeAwsFailure, firstLineOf, PathSegment, problem } from "../errors";
import type { AwsClient } from "./awsClient";
import type { ClusterReads } from "./clusterReads";
import type { AmiSource } from "./facts";

export interface AmisAnswer {
    amis: Map<string, { id: string; source: AmiSource }>;
    problems: ConfigProblem[];
}

/**
 * @param architectures AWS's `supportedArchitectures` per type (lookups/instanceTypes.ts); offline, the family name says.
 * @param cluster the cluster's reads when connected; none when rendering.
 * @param client AWS with aws lookups; none offline.
 */
export async function lookupAmis(
    config: CapacityConfig,
    architectures: ReadonlyMap<string, string[]>,
    cluster: Pick<ClusterReads, "bootImageStream"> | undefined,
    client: Pick<AwsClient, "newestAmi"> | undefined,
): Promise<AmisAnswer> {
    const { region } = config.cluster;
    const stream = cluster && config.pools.some((p) => !p.ami.id) ? await cluster.bootImageStream() : undefined;
    const searches = new Map<string, Promise<string | { error: string }>>();
    const answer: AmisAnswer = { amis: new Map(), problems: [] };
    // Pools sharing the stack's ami fail alike: one problem per key and architecture.
    const reported = new Set<string>();
    for (const [index, pool] of config.pools.entries()) {
        if (pool.ami.id) {
            answer.amis.set(pool.name, { id: pool.ami.id, source: "pinned" });
            continue;
        }
        const arch = architectureOf(pool.instanceType, architectures.get(pool.instanceType));
        const bootImage = cluster ? bootImageFromStream(stream, arch, region) : undefined;
        if (bootImage && "ami" in bootImage) {
            answer.amis.set(pool.name, { id: bootImage.ami, source: "cluster" });
            continue;
        }
        const tried = [
            "pinned id: not set",
            `the cluster's boot image (ConfigMap ${BOOT_IMAGES_CONFIGMAP.namespace}/${BOOT_IMAGES_CONFIGMAP.name}): ${
                bootImage ? bootImage.missing : "not read, renderDirectory renders without a cluster"
            }`,
        ];
        let id: string | undefined;
        if (!pool.ami.namePattern) {
            tried.push("owners + namePattern lookup: no namePattern set");
        } else if (!client) {
            tried.push("owners + namePattern lookup: offline lookups make no AWS call");
        } else {
            const key = JSON.stringify([pool.ami.owners, pool.ami.namePattern]);
            if (!searches.has(key)) searches.set(key, newestAmi(client, pool.ami, region));
            const found = await (searches.get(key) as Promise<string | { error: string }>);
            if (typeof found === "string") id = found;
            else tried.push(`owners ${pool.ami.owners.join(", ")} + namePattern ${pool.ami.namePattern}: ${found.error}`);
        }
        const path = amiPath(pool, index);
        if (id) {
            answer.amis.set(pool.name, { id, source: "lookup" });
        } else if (!reported.has(`${path.join(".")}|${arch}`)) {
            reported.add(`${path.join(".")}|${arch}`);
            answer.problems.push(
                problem(path, pool.ami.namePattern, `an AMI for ${pool.instanceType} (${arch}) in ${region}; tried: ${tried.join("; ")}`),
            );
        }
    }
    return answer;
}

/** Where the pool's AMI is configured: its own `ami`, else the stack's. */
function amiPath(pool: PoolConfig, index: number): PathSegment[] {
    const at: PathSegment[] = pool.amiFromPool ? ["pools", index, "ami"] : ["ami"];
    return pool.ami.namePattern ? [...at, "namePattern"] : at;
}

async function newestAmi(client: Pick<AwsClient, "newestAmi">, ami: AmiQuery, region: string): Promise<string | { error: string }> {
    try {
        return await client.newestAmi(ami.owners, ami.namePattern ?? "");
    } catch (error) {
        const text = firstLineOf(error, 200);
        return /returned no results/.test(text)
            ? { error: `no AMI matches in ${region} (AWS said: ${text})` }
            : { error: `the AMI lookup failed in ${region} (${describeAwsFailure("ec2:DescribeImages", error)})` };
    }
}
