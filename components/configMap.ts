import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { KubernetesObject } from "../policy/lib/contract";

/** A ConfigMap from its rendered object (metadata and data): the one way the components create ConfigMaps. */
export function configMapResource(name: string, object: KubernetesObject, opts: pulumi.CustomResourceOptions): k8s.core.v1.ConfigMap {
    return new k8s.core.v1.ConfigMap(name, { metadata: object.metadata, data: object.data }, opts);
}
