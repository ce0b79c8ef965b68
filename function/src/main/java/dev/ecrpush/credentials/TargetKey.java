package dev.ecrpush.credentials;


import software.amazon.awssdk.regions.Region;

import dev.ecrpush.plan.CredentialsPlan;
import dev.ecrpush.plan.Hashing;
import dev.ecrpush.step.AwsCredential;

/**
 * What makes two credential plans the same target, for the cache: the base identity by its references or
 * role, the cross-account role with its session name, and the region. It holds references, never values,
 * except a digest of a web identity token: the token is what proves the caller may use the role, so another
 * token must not reuse credentials obtained with the first.
 */
record TargetKey(String base, String tokenDigest, CredentialsPlan.AssumeRole assumeRole, Region region) {
    static TargetKey of(CredentialsPlan plan, Region region) {
        String tokenDigest = plan.base() instanceof CredentialsPlan.Base.WebIdentity web ? Hashing.sha256(web.token().value()) : null;
        return new TargetKey(base(plan.base()), tokenDigest, plan.assumeRole(), region);
    }

    private static String base(CredentialsPlan.Base base) {
        if (base instanceof CredentialsPlan.Base.StaticKeys keys) {
            String accessKey = keys.accessKey() instanceof AwsCredential.Value.Plain plain
                    ? plain.text()
                    : ((AwsCredential.Value.Secret) keys.accessKey()).ref().value();
            return "static-keys " + accessKey + " " + keys.secretKey().value()
                    + (keys.sessionToken() == null ? "" : " " + keys.sessionToken().value());
        }
        if (base instanceof CredentialsPlan.Base.WebIdentity web) {
            return "web-identity " + web.roleArn() + " as " + web.sessionName();
        }
        return "function-role";
    }

    /** What a log line may say about the target: no token digest, whose only use is telling tokens apart. */
    @Override
    public String toString() {
        return base + (assumeRole == null ? "" : " then " + assumeRole.roleArn() + " as " + assumeRole.sessionName()) + " in " + region;
    }
}
