package dev.halb.core.balance;

import dev.halb.discovery.Backend;
import dev.halb.discovery.Locality;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Endpoints and client addresses for selection tests; no name resolution anywhere. */
final class TestEndpoints {

    private TestEndpoints() {
    }

    /** An endpoint 10.(i/256).(i%256):(9000+i) in {@code zone} with {@code weight}. */
    static Endpoint endpoint(int i, String zone, int weight) {
        String address = "10.1." + (i / 256) + "." + (i % 256);
        Backend backend = Backend.ofStatic(address, 9000 + i, Locality.ofZone(zone), weight);
        return new Endpoint(backend, new InetSocketAddress(ip(10, 1, i / 256, i % 256), 9000 + i));
    }

    /** An endpoint like {@link #endpoint(int, String, int)}, in {@code region} too. */
    static Endpoint endpoint(int i, String zone, String region, int weight) {
        String address = "10.1." + (i / 256) + "." + (i % 256);
        Backend backend = Backend.ofStatic(address, 9000 + i, new Locality(zone, region, ""), weight);
        return new Endpoint(backend, new InetSocketAddress(ip(10, 1, i / 256, i % 256), 9000 + i));
    }

    /** {@code count} endpoints in {@code region} and {@code zone}, numbered from {@code first}, weight 100. */
    static List<Endpoint> inRegion(int first, String region, String zone, int count) {
        List<Endpoint> out = new ArrayList<>();
        for (int c = 0; c < count; c++) {
            out.add(endpoint(first + c, zone, region, 100));
        }
        return out;
    }

    /** The index an {@link #endpoint} was made with. */
    static int index(Endpoint e) {
        return e.address().getPort() - 9000;
    }

    /** {@code count} endpoints per zone, numbered from {@code first}, all of weight 100. */
    static List<Endpoint> zones(int first, Object... zoneAndCount) {
        List<Endpoint> out = new ArrayList<>();
        int i = first;
        for (int k = 0; k < zoneAndCount.length; k += 2) {
            String zone = (String) zoneAndCount[k];
            int count = (Integer) zoneAndCount[k + 1];
            for (int c = 0; c < count; c++) {
                out.add(endpoint(i++, zone, 100));
            }
        }
        return out;
    }

    /** Replica counts from pairs: {@code replicas("a", 2, "b", 1)}. */
    static Map<String, Integer> replicas(Object... zoneAndCount) {
        Map<String, Integer> m = new HashMap<>();
        for (int k = 0; k < zoneAndCount.length; k += 2) {
            m.put((String) zoneAndCount[k], (Integer) zoneAndCount[k + 1]);
        }
        return m;
    }

    /** {@code count} distinct client addresses 100.64.0.0 upwards, port 40000. */
    static InetSocketAddress[] clients(int count) {
        InetSocketAddress[] out = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            int v = 0x64400000 + i;
            out[i] = new InetSocketAddress(ip(v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff), 40000);
        }
        return out;
    }

    static InetAddress ip(int a, int b, int c, int d) {
        try {
            return InetAddress.getByAddress(new byte[] {(byte) a, (byte) b, (byte) c, (byte) d});
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
