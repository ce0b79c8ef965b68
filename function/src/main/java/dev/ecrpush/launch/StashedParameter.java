package dev.ecrpush.launch;

/**
 * An SSM parameter a build was started with, as the build read back names it: where an inline secret (the OIDC
 * token) may have been stashed for it ({@link SecretStash}).
 *
 * @param region the region the build runs in, where the parameter was stored
 * @param name   the parameter's name (a path)
 */
public record StashedParameter(String region, String name) {
}
