package dev.caravan.cli;

import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.Callable;

import dev.caravan.kubernetes.RunManifests;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code caravan env diff A B}: how two environments differ, in settings and in the objects a run creates. */
@Command(name = "env", mixinStandardHelpOptions = true, description = "Compares environments.",
        subcommands = EnvCommand.Diff.class)
class EnvCommand {

    @Command(name = "diff", mixinStandardHelpOptions = true,
            description = "Shows the settings and rendered object lines that differ between two environments.")
    static class Diff implements Callable<Integer> {

        @Spec
        CommandSpec spec;

        @Parameters(index = "0", description = "First environment.")
        String first;

        @Parameters(index = "1", description = "Second environment.")
        String second;

        @Override
        public Integer call() {
            RunManifests a = RunManifests.forEnvironment(first, List.of());
            RunManifests b = RunManifests.forEnvironment(second, List.of());
            var out = spec.commandLine().getOut();
            out.println("# settings: " + first + " -> " + second);
            Map<String, String> sa = a.settings();
            Map<String, String> sb = b.settings();
            TreeSet<String> names = new TreeSet<>(sa.keySet());
            names.addAll(sb.keySet());
            names.stream().filter(n -> !String.valueOf(sa.get(n)).equals(String.valueOf(sb.get(n))))
                    .forEach(n -> out.println(n + ": " + sa.get(n) + " -> " + sb.get(n)));
            out.println("# rendered objects: lines only in " + first + " (-) and only in " + second + " (+)");
            List<String> la = a.render(null, Map.of()).lines().toList();
            List<String> lb = b.render(null, Map.of()).lines().toList();
            la.stream().filter(l -> !lb.contains(l)).forEach(l -> out.println("- " + l));
            lb.stream().filter(l -> !la.contains(l)).forEach(l -> out.println("+ " + l));
            out.flush();
            return 0;
        }
    }
}
