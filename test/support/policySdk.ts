/**
 * The policy pack's own copy of @pulumi/policy (the pack is a separate package with its own
 * node_modules): tests must use the same copy the policies use, or `instanceof` checks differ.
 */
export { UnknownValueError, unknownCheckingProxy } from "../../policy/node_modules/@pulumi/policy";
export type {
    Policies,
    PolicyResource,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "../../policy/node_modules/@pulumi/policy";
