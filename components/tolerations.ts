import type { Taint, Toleration } from "../policy/lib/contract";

/** Tolerations that let a pod onto nodes with exactly these taints. */
export function tolerationsFor(taints: readonly Taint[]): Toleration[] {
    return taints.map((t) =>
        t.value === undefined
            ? { key: t.key, operator: "Exists", effect: t.effect }
            : { key: t.key, operator: "Equal", value: t.value, effect: t.effect },
    );
}

/** Tolerations for daemons that must run on every pool's nodes, whatever the taint values. */
export function daemonTolerations(taints: readonly Taint[]): Toleration[] {
    const seen = new Set<string>();
    const result: Toleration[] = [];
    for (const t of taints) {
        const id = `${t.key}|${t.effect}`;
        if (!seen.has(id)) {
            seen.add(id);
            result.push({ key: t.key, operator: "Exists", effect: t.effect });
        }
    }
    return result;
}
