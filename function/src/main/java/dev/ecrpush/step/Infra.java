package dev.ecrpush.step;

import java.util.Map;

/** The build infrastructure the step was written for; it decides the plugin and its environment. */
public enum Infra {
    K8, VM, DLITE_VM;

    /** Runtime names and the names the pipeline UI shows. */
    private static final Map<String, Infra> NAMES = Map.of(
            "K8", K8, "KubernetesDirect", K8, "KubernetesHosted", K8,
            "VM", VM, "Docker", VM,
            "DLITE_VM", DLITE_VM, "Cloud", DLITE_VM);

    public static Infra fromName(String name) {
        return NAMES.get(name);
    }

    public static String acceptedNames() {
        return "K8, KubernetesDirect, KubernetesHosted, VM, Docker, DLITE_VM, Cloud";
    }
}
