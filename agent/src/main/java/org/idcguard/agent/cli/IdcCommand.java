package org.idcguard.agent.cli;

import org.idcguard.client.ApiPaths;

import com.fasterxml.jackson.core.type.TypeReference;
import java.util.List;
import java.util.concurrent.Callable;
import org.idcguard.model.Idc;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "idc", description = "Lists, adds and deletes IDCs.",
        subcommands = {IdcCommand.ListIdcs.class, IdcCommand.Add.class, IdcCommand.Delete.class})
final class IdcCommand {

    @Command(name = "list", description = "Lists the IDCs.")
    static final class ListIdcs implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;

        @Override
        public Integer call() {
            List<Idc> idcs = ManagerClient.of(homeOption.home()).get(ApiPaths.IDCS, new TypeReference<>() { });
            System.out.printf("%-16s %-16s %s%n", "NAME", "PROVINCE", "CITY");
            idcs.forEach(i -> System.out.printf("%-16s %-16s %s%n", i.name(), i.province(), i.city()));
            return 0;
        }
    }

    @Command(name = "add", description = "Adds an IDC.")
    static final class Add implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;
        @Option(names = "--province", required = true)
        String province;
        @Option(names = "--city", required = true)
        String city;

        @Override
        public Integer call() {
            Idc idc = ManagerClient.of(homeOption.home()).post(ApiPaths.IDCS, new Idc(name, province, city), new TypeReference<>() { });
            System.out.println("IDC " + idc.name() + " added in " + idc.province() + " / " + idc.city() + ".");
            return 0;
        }
    }

    @Command(name = "delete", description = "Deletes an IDC that has no computers bound.")
    static final class Delete implements Callable<Integer> {
        @Mixin
        HomeOption homeOption;
        @Parameters(paramLabel = "NAME")
        String name;

        @Override
        public Integer call() {
            ManagerClient.of(homeOption.home()).delete(ApiPaths.idc(name));
            System.out.println("IDC " + name + " deleted.");
            return 0;
        }
    }
}
