package dev.ecrpush.webhook;

/** The Git hosts whose push webhooks the function accepts, each on its own route {@code /webhooks/<wire>}. */
public enum Provider {
    GITHUB("github"),
    GITLAB("gitlab"),
    BITBUCKET("bitbucket");

    private final String wire;

    Provider(String wire) {
        this.wire = wire;
    }

    /** The route segment, the key in the webhook secret and the {@code provider} of a trigger. */
    public String wire() {
        return wire;
    }

    /** The provider named {@code text}, or null. */
    public static Provider fromWire(String text) {
        for (Provider provider : values()) {
            if (provider.wire.equals(text)) {
                return provider;
            }
        }
        return null;
    }
}
