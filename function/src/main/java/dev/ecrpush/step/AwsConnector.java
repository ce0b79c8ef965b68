package dev.ecrpush.step;

/** The connector {@code connectorRef} names: its credential and the optional cross-account overlay. */
public record AwsConnector(String ref, AwsCredential credential, CrossAccount crossAccount) {
    /** Assume {@code roleArn} in the target account, with {@code externalId} when set (nullable). */
    public record CrossAccount(String roleArn, String externalId) {
    }
}
