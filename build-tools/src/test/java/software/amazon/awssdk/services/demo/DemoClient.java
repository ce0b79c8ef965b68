package software.amazon.awssdk.services.demo;

import software.amazon.awssdk.services.demo.model.ListThingsRequest;
import software.amazon.awssdk.services.demo.model.ListThingsResponse;
import software.amazon.awssdk.services.demo.model.PutThingRequest;
import software.amazon.awssdk.services.demo.model.PutThingResponse;

public interface DemoClient extends AutoCloseable {
    String SERVICE_NAME = "demo";

    static DemoClient create() {
        return new DefaultDemoClient();
    }

    default PutThingResponse putThing(PutThingRequest request) {
        throw new UnsupportedOperationException();
    }

    default ListThingsResponse listThings(ListThingsRequest request) {
        throw new UnsupportedOperationException();
    }

    String serviceName();

    @Override
    void close();
}
