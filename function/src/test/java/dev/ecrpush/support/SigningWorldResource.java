package dev.ecrpush.support;

import java.util.HashMap;
import java.util.Map;

/** A {@link TriggerWorldResource} whose function signs images with {@link #PROFILE} ({@code buildpush.repository.signing}). */
public class SigningWorldResource extends TriggerWorldResource {
    public static final String PROFILE = "arn:aws:signer:us-east-1:123456789012:/signing-profiles/builds_prod";

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>(super.start());
        config.put("buildpush.repository.signing", PROFILE);
        return config;
    }
}
