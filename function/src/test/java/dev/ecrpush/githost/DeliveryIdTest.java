package dev.ecrpush.githost;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

/** A delivery's identity: made of what its proof covers, in a shape that keys and log lines take as it is. */
class DeliveryIdTest {

    @Test
    void ofBody_isTheBodysSha256_andDiffersForAnyOtherBody() {
        // the SHA-256 of "{}"
        assertEquals("sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a",
                DeliveryId.ofBody("{}".getBytes(StandardCharsets.UTF_8)).value());
        assertNotEquals(DeliveryId.ofBody("{}".getBytes(StandardCharsets.UTF_8)),
                DeliveryId.ofBody("{ }".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void ofSignedId_keepsAUrlSafeId_andHashesAnyOther() {
        assertEquals("webhook-id-msg_p5jXN8AQM9LWM0D4loKWxJek", DeliveryId.ofSignedId("msg_p5jXN8AQM9LWM0D4loKWxJek").value());
        String odd = DeliveryId.ofSignedId("a/b c\nd").value();
        assertTrue(odd.matches("webhook-id-sha256-[0-9a-f]{64}"), odd);
        String long129 = DeliveryId.ofSignedId("x".repeat(129)).value();
        assertTrue(long129.matches("webhook-id-sha256-[0-9a-f]{64}"), long129);
        // a signed ID never collides with a body's identity
        assertNotEquals(DeliveryId.ofBody("{}".getBytes(StandardCharsets.UTF_8)),
                DeliveryId.ofSignedId("sha256-44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"));
    }

    @Test
    void anyOtherShape_isNoIdentity() {
        // a host's delivery header, as the function once keyed deliveries by
        assertThrows(IllegalArgumentException.class, () -> new DeliveryId("72d3162e-cc78-11e3-81ab-4c9367dc0958"));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryId("sha256-abc"));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryId("webhook-id-a/b"));
        assertThrows(IllegalArgumentException.class, () -> new DeliveryId(null));
    }

    @Test
    void printable_isTheTrimmedHeader_orNullWhenItCouldNotBeLoggedAsItIs() {
        assertEquals("72d3162e-cc78-11e3-81ab-4c9367dc0958", DeliveryId.printable(" 72d3162e-cc78-11e3-81ab-4c9367dc0958 "));
        assertNull(DeliveryId.printable(null));
        assertNull(DeliveryId.printable("  "));
        assertNull(DeliveryId.printable("x".repeat(129)));
        assertNull(DeliveryId.printable("ok\r\nINFO forged line"));
    }
}
