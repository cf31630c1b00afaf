import * as k8s from "@pulumi/kubernetes";
import type { CapacityConfig } from "../lib/config/types";

/**
 * The explicit Kubernetes provider every object goes through: it renders YAML to a folder when
 * `renderDirectory` is set (no cluster needed), else talks to the configured kube context.
 */
export function kubernetesProvider(name: string, config: Pick<CapacityConfig, "renderDirectory" | "kubernetes">): k8s.Provider {
    if (config.renderDirectory) {
        return new k8s.Provider(name, { renderYamlToDirectory: config.renderDirectory });
    }
    return new k8s.Provider(name, { kubeconfig: config.kubernetes.kubeconfig, context: config.kubernetes.context });
}
