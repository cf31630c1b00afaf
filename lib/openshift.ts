/** Facts that depend on the OpenShift version: Ignition versions, boot-image management, admission policies. */

export interface OpenShiftVersion {
    major: 4;
    minor: number;
}

const OPENSHIFT_VERSION_PATTERN = /^4\.(\d{1,2})$/;
export const MIN_OPENSHIFT_MINOR = 12;

export function parseOpenShiftVersion(version: string): OpenShiftVersion | undefined {
    const match = OPENSHIFT_VERSION_PATTERN.exec(version);
    return match ? { major: 4, minor: Number(match[1]) } : undefined;
}

function atLeast(version: OpenShiftVersion, minor: number): boolean {
    return version.minor >= minor;
}

/** The Ignition spec version the Machine Config Operator accepts in MachineConfigs of that release. */
export function ignitionVersion(version: OpenShiftVersion): string {
    return atLeast(version, 14) ? "3.4.0" : "3.2.0";
}

/** OpenShift 4.17 (Kubernetes 1.30) and later serve admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy. */
export const ADMISSION_POLICY_MIN_MINOR = 17;

export function servesAdmissionPolicies(version: OpenShiftVersion): boolean {
    return atLeast(version, ADMISSION_POLICY_MIN_MINOR);
}

/** OpenShift 4.19 and later manage MachineSet boot images themselves on AWS. */
export function managesBootImages(version: OpenShiftVersion): boolean {
    return atLeast(version, 19);
}
