/** The first place in the config that uses each distinct value: one question per value, and where to point its problem. */
export function firstUse<T>(items: readonly T[], keyOf: (item: T, index: number) => string | undefined): Map<string, number> {
    const uses = new Map<string, number>();
    items.forEach((item, index) => {
        const key = keyOf(item, index);
        if (key !== undefined && !uses.has(key)) uses.set(key, index);
    });
    return uses;
}
