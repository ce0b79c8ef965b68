package dev.acme.app;

import software.amazon.awssdk.services.demo.DemoClient;
import software.amazon.awssdk.services.demo.model.PutThingRequest;

/** The function of the shrinker's tests: it calls one operation of the demo service, putThing. */
public final class Caller {
    private Caller() {
    }

    public static String run(String name) {
        try (DemoClient client = DemoClient.create()) {
            return client.putThing(new PutThingRequest(name)).thing().name();
        }
    }
}
