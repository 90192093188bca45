"""Name lists for the person recogniser: frequent first names and surnames in Belgium
(Flemish, Walloon and Brussels) and frequent English ones. Written for this project from
general knowledge of common names; not exhaustive, which limits recall on rare names."""

_FIRST = """
Jan Pieter Peter Luc Marc Dirk Koen Tom Bart Wim Jef Joris Geert Kris Stijn Wouter Jens Lars
Ruben Thomas Lucas Noah Arthur Louis Liam Adam Jules Victor Mathis Nathan Elias Finn Vincent
Maarten Frank Filip Johan Patrick Eddy Willy Rudi Hendrik Jozef Karel Frans Gust Emiel Raf
Jean Pierre Michel Philippe Alain Jacques Paul André Claude Bernard Daniel Christian Olivier
Nicolas Julien Antoine Hugo Maxime Alexandre Guillaume Benoît Benoit François Francois Laurent
Sébastien Sebastien Mohamed Mohammed Ahmed Youssef Ali Omar Mehmet Karim Rachid Said Hamid
John James David Michael Robert William Richard Joseph Charles George Edward Henry Samuel
Maria Marie Anna Anne Annie Els Ann An Katrien Sofie Sarah Lotte Emma Olivia Louise Mila Lina
Nora Hanne Lieve Hilde Greet Martine Christine Monique Nicole Chantal Rita Godelieve
Jeanne Paula Simone Yvonne Julia Elise Fien Jolien Eline Laura Charlotte Camille Léa Lea Manon
Chloé Chloe Zoé Zoe Juliette Alice Inès Ines Jade Sophie Isabelle Catherine Nathalie Valérie
Valerie Sylvie Véronique Veronique Françoise Francoise Brigitte Fatima Khadija Aicha Amina
Yasmine Leila Mary Elizabeth Margaret Susan Jennifer Linda Patricia Barbara Emily Jessica
Helen Sandra Karen Nancy Lisa Kate Claire Jane Ruth Joyce Sanne Eva Nele Lies Inge Veerle
Ginette Annick Carine Sandrine Mélanie Nadine Josiane Jocelyne Micheline Ghislaine Marie-Claire
Jean-Luc Jean-Marie Jean-Pierre Jean-François Marie-Christine Marie-Thérèse Marie-Paule Colette
Danielle Murielle Muriel Fabienne Pascale Viviane Myriam Bernadette Georgette Huguette Jeannine
Paulette Odette Germaine Marcel Roger Fernand Raymond Albert Gaston Ghislain Thierry Didier
Fabrice Cédric Grégory Jérôme Ludovic Aurore Gaëlle Laetitia Audrey Céline Virginie Delphine
Godelieve Lutgarde Rosa Gerda Mariette Agnes Lisette Marleen Rosette Jozef Gilbert Roland Etienne
Lieven Pieter-Jan Robbe Wout Seppe Warre Lowie Ferre Mats Kobe Jana Lore Febe Fleur Ine Lien
Hildegard Gisela Ursula Günter Birgit Monika Helmut Dieter Jürgen Uwe Gerda Hannelore Heike Sabine
Momo Andi Kiki Sam Bert Tine Mieke Miet Jos Louis-Philippe Priya Aminata Kwame
Abena Fatou Moussa Mamadou Dieudonné Grâce Mustafa Emre Ahmet Yasin Elif Zeynep Naima Samira
Bilal Hamza Ayoub Imane Salma Soufiane Anas
"""

_SURNAMES = """
Peeters Janssens Maes Jacobs Mertens Willems Claes Goossens Wouters Dubois Lambert Dupont
Martin Simon Laurent Leclercq Lejeune Renard Dumont Hermans Michiels Aerts Pauwels Smets
Vermeulen Hendrickx Stevens Verstraete Desmet Jansen Cools Lemaire Leroy Lemmens Bogaerts
Vandenberghe Declercq Vermeersch Coppens Verhoeven Segers Mahieu Vandamme Wuyts Thys Claeys
Francois Denis Dupuis Mathieu Gerard Fontaine Gilson Lecomte Collard Charlier Baert
Verbeke Verhaegen Pieters Martens Schepers Jorissen Geerts Cornelis Devos Hoste
Leroux Masson Noel Poncelet Bastin Delvaux Dethier Gillet Marchal Wilmotte Hubert Thiry
Smith Jones Williams Brown Taylor Davies Evans Wilson Roberts Walker Wright
Robinson Thompson White Hughes Edwards Green Hall Wood Harris Lewis Clarke Jackson Turner
Yilmaz Kaya Demir Benali Amrani Haddad Bakker Visser Smit Mulder Bos Vos Dekker Jacobsen
"""

FIRST_NAMES = frozenset(_FIRST.split())
SURNAMES = frozenset(_SURNAMES.split())
