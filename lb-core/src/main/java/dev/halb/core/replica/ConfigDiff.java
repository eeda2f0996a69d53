package dev.halb.core.replica;

import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** The keys in which two versions of a configuration record differ, by dotted path. */
final class ConfigDiff {

    private ConfigDiff() {
    }

    /**
     * Keys under {@code prefix} whose values differ; a nested record is compared key by key, so
     * that a changed {@code discovery.zookeeper.connect} is named as such. An empty prefix
     * names the keys from the top.
     */
    static List<String> keys(String prefix, Record before, Record after) {
        List<String> out = new ArrayList<>();
        collect(prefix, before, after, out);
        return out;
    }

    private static void collect(String prefix, Object before, Object after, List<String> out) {
        if (Objects.equals(before, after)) {
            return;
        }
        if (before instanceof Record a && after instanceof Record b && a.getClass() == b.getClass()) {
            for (RecordComponent c : a.getClass().getRecordComponents()) {
                try {
                    collect(join(prefix, c.getName()), c.getAccessor().invoke(a), c.getAccessor().invoke(b), out);
                } catch (ReflectiveOperationException e) {
                    out.add(join(prefix, c.getName()));
                }
            }
            return;
        }
        out.add(prefix);
    }

    private static String join(String prefix, String key) {
        return prefix.isEmpty() ? key : prefix + "." + key;
    }
}
