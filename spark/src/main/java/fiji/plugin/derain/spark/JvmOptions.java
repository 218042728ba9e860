package fiji.plugin.derain.spark;

import org.apache.spark.launcher.JavaModuleOptions;

/** Prints the JVM options Spark needs on Java 17 ({@code --add-opens ...}), for {@code bin/derain-spark}. */
public final class JvmOptions {
	private JvmOptions() {}

	public static void main(String[] args) {
		System.out.println(JavaModuleOptions.defaultModuleOptions());
	}
}
