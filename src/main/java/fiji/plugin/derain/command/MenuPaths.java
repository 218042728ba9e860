package fiji.plugin.derain.command;

/** Menu locations shared by the SciJava commands and {@code plugins.config}. */
public final class MenuPaths {
	private MenuPaths() {}

	/** Parent menu of every Fiji Derain command (ImageJ 1.x spells it {@code Plugins>Deraining}). */
	public static final String DERAINING = "Plugins>Deraining";
}
