package dev.ecrpush.registry;

import dev.ecrpush.plan.Plan.RepositoryPlan.Purpose;

/**
 * What a preflight found for one repository: it exists (and will be used as it is), or a run would create it.
 */
public record RepositoryCheck(String name, Purpose purpose, boolean exists) {
    public boolean wouldBeCreated() {
        return !exists;
    }
}
